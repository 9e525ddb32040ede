package io.inferpulse.ingest.promtext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Real expositions from public projects, copied verbatim into src/test/resources/fixtures (sources
 * and commits in its README.md):
 * <ul>
 *   <li>prometheus/prometheus @ d15adb9a, model/textparse/testdata/alltypes.237mfs.prom.txt (a real
 *       scrape of a Prometheus server's own /metrics) and alltypes.5mfs.om.txt (OpenMetrics);</li>
 *   <li>kubernetes-sigs/gateway-api-inference-extension @ 1748e829, pkg/epp/metrics/testdata/* (the
 *       EPP's golden files, upstream quirks kept);</li>
 *   <li>llm-d/llm-d-router @ ebab6879, pkg/epp/metrics/testdata/llm_d_* (the successor EPP's).</li>
 * </ul>
 */
class PromTextParserFixtureTest {

    private static final String ALL_TYPES_PROM = "prometheus-textformat/prometheus-textparse-alltypes.237mfs.prom.txt";
    private static final String ALL_TYPES_OM = "prometheus-textformat/prometheus-textparse-alltypes.5mfs.om.txt";
    private static final String TPOT_WITH_QUIRKS = "gie-epp-metrics/request_tpot_seconds_metric.prom";

    @Test
    void shouldParseAllFamiliesOfARealPrometheusScrape() {
        Exposition exposition = PromTextParser.parse(UpstreamFixtures.bytes(ALL_TYPES_PROM));

        assertThat(exposition.families()).hasSize(237);
        // 1857 = the lines not starting with '#' (the file has no blank lines).
        assertThat(exposition.samples()).hasSize(1857);
        assertThat(exposition.families()).allSatisfy(family -> assertThat(family.help()).isNotEmpty());
        Map<MetricType, Long> types = exposition.families().stream()
                .collect(Collectors.groupingBy(MetricFamily::type, Collectors.counting()));
        assertThat(types).containsExactlyInAnyOrderEntriesOf(Map.of(
                MetricType.COUNTER, 112L, MetricType.GAUGE, 97L, MetricType.HISTOGRAM, 15L, MetricType.SUMMARY, 13L));
    }

    @Test
    void shouldReadExactValuesFromARealPrometheusScrape() {
        Exposition exposition = PromTextParser.parse(UpstreamFixtures.bytes(ALL_TYPES_PROM));

        // Values checked against the file with grep: lines 17, 352, 373, 1021, 1740 and 887-898.
        assertThat(value(exposition, "go_gc_duration_seconds_sum", Labels.empty())).isEqualTo(44.985611511);
        assertThat(value(exposition, "process_start_time_seconds", Labels.empty())).isEqualTo(1.73806369023e+09);
        assertThat(value(exposition, "prometheus_http_requests_total", Labels.of("code", "200", "handler", "/metrics")))
                .isEqualTo(4.059092e+06);
        assertThat(value(exposition, "prometheus_sd_consul_rpc_duration_seconds",
                Labels.of("call", "service", "endpoint", "catalog", "quantile", "0.5"))).isNaN();
        Sample buildInfo = exposition.samples("prometheus_build_info").getFirst();
        assertThat(buildInfo.labels().get("version")).isEqualTo("3.1.0");
        assertThat(buildInfo.labels().get("revision")).isEqualTo("7086161a93b262aa0949dbf2aba15a5a7b13e0a3");

        MetricFamily http = exposition.family("prometheus_http_request_duration_seconds").orElseThrow();
        assertThat(http.type()).isEqualTo(MetricType.HISTOGRAM);
        List<Sample> metricsHandler = http.samples().stream()
                .filter(s -> "/metrics".equals(s.labels().get("handler"))).toList();
        assertThat(metricsHandler).extracting(Sample::name, s -> s.labels().get("le"), Sample::value).containsExactly(
                tuple("prometheus_http_request_duration_seconds_bucket", "0.1", 3.988654e+06),
                tuple("prometheus_http_request_duration_seconds_bucket", "0.2", 4.052461e+06),
                tuple("prometheus_http_request_duration_seconds_bucket", "0.4", 4.057771e+06),
                tuple("prometheus_http_request_duration_seconds_bucket", "1", 4.058809e+06),
                tuple("prometheus_http_request_duration_seconds_bucket", "3", 4.059071e+06),
                tuple("prometheus_http_request_duration_seconds_bucket", "8", 4.059092e+06),
                tuple("prometheus_http_request_duration_seconds_bucket", "20", 4.059092e+06),
                tuple("prometheus_http_request_duration_seconds_bucket", "60", 4.059092e+06),
                tuple("prometheus_http_request_duration_seconds_bucket", "120", 4.059092e+06),
                tuple("prometheus_http_request_duration_seconds_bucket", "+Inf", 4.059092e+06),
                tuple("prometheus_http_request_duration_seconds_sum", null, 107584.12561354278),
                tuple("prometheus_http_request_duration_seconds_count", null, 4.059092e+06));
    }

    @Test
    void shouldParseOpenMetricsFixtureWithExemplarsAndEof() {
        Exposition exposition = PromTextParser.parse(UpstreamFixtures.bytes(ALL_TYPES_OM));

        assertThat(exposition.families()).extracting(MetricFamily::name, MetricFamily::type, f -> f.samples().size())
                .containsExactly(
                        tuple("go_build_info", MetricType.GAUGE, 1),
                        tuple("promhttp_metric_handler_errors", MetricType.COUNTER, 4),
                        tuple("rpc_durations_histogram_seconds", MetricType.HISTOGRAM, 24),
                        tuple("rpc_durations_seconds", MetricType.SUMMARY, 18),
                        tuple("rpc_requests", MetricType.COUNTER, 6));
        // Line 19 carries an exemplar: "... 3 # {dummyID="17783"} -0.0003825067330956884 1.7268398142239082e+09".
        Sample withExemplar = exposition.samples().stream()
                .filter(s -> "-0.0002899999999999998".equals(s.labels().get("le"))).findFirst().orElseThrow();
        assertThat(withExemplar.value()).isEqualTo(3.0);
        assertThat(withExemplar.labels().size()).isEqualTo(1);
        assertThat(withExemplar.timestampMs()).isEmpty();
        assertThat(value(exposition, "promhttp_metric_handler_errors_created", Labels.of("cause", "encoding")))
                .isEqualTo(1.726839813016397e+09);
        assertThat(value(exposition, "go_build_info", Labels.of("checksum", "", "path", "", "version", ""))).isEqualTo(1.0);
    }

    static Stream<Path> eppGoldenFiles() throws IOException {
        try (Stream<Path> gie = Files.list(UpstreamFixtures.dir().resolve("gie-epp-metrics"));
             Stream<Path> llmd = Files.list(UpstreamFixtures.dir().resolve("llm-d-epp-metrics"))) {
            List<Path> files = Stream.concat(gie, llmd).filter(p -> p.toString().endsWith(".prom")).sorted().toList();
            assertThat(files).hasSize(25 + 35);
            return files.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eppGoldenFiles")
    void shouldParseEveryEppGoldenFile(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);

        Exposition exposition = PromTextParser.parse(Files.readAllBytes(file));

        long sampleLines = lines.stream().filter(l -> !l.isBlank() && !l.startsWith("#")).count();
        assertThat(exposition.samples()).hasSize((int) sampleLines);
        long typeLines = lines.stream().filter(l -> l.startsWith("# TYPE ")).count();
        assertThat(exposition.families().stream().filter(f -> f.type() != MetricType.UNTYPED).count())
                .isEqualTo(typeLines);
    }

    @Test
    void shouldKeepUpstreamQuirksOfTheTpotGoldenFile() {
        Exposition exposition = PromTextParser.parse(UpstreamFixtures.bytes(TPOT_WITH_QUIRKS));

        // The typo "iinference_..." (line 43) fits no family and becomes its own, without taking
        // the histogram type away from the correctly named lines after it.
        assertThat(exposition.families()).extracting(MetricFamily::name, MetricFamily::type, f -> f.samples().size())
                .containsExactly(
                        tuple("inference_model_request_tpot_seconds", MetricType.HISTOGRAM, 75),
                        tuple("iinference_model_request_tpot_seconds_bucket", MetricType.UNTYPED, 1));
        // le="Inf" (lines 38 and 78) is a label value, not a number: kept verbatim.
        assertThat(exposition.samples()).filteredOn(s -> "Inf".equals(s.labels().get("le"))).hasSize(2)
                .allSatisfy(s -> assertThat(s.value()).isEqualTo(2.0));
        // The second block repeats series of the first: duplicates are kept, as Prometheus parses them.
        Set<String> distinct = new HashSet<>();
        long duplicates = exposition.samples().stream().filter(s -> !distinct.add(s.name() + s.labels())).count();
        assertThat(duplicates).isPositive();
    }

    @Test
    void shouldReadLabelsWithSpacesAfterCommasLikeAnyOther() {
        // request_error_total_metric.prom writes {error_code="Internal", model_name="m10",target_model_name="t10"}.
        Exposition exposition = PromTextParser.parse(UpstreamFixtures.bytes("gie-epp-metrics/request_error_total_metric.prom"));

        Map<Labels, Double> values = exposition.samples().stream()
                .collect(Collectors.toMap(Sample::labels, Sample::value));
        assertThat(values).containsEntry(
                Labels.of("error_code", "Internal", "model_name", "m10", "target_model_name", "t10"), 2.0);
        assertThat(exposition.samples()).extracting(Sample::timestampMs).containsOnly(OptionalLong.empty());
    }

    private static double value(Exposition exposition, String name, Labels labels) {
        Map<Labels, Sample> byLabels = exposition.samples(name).stream()
                .collect(Collectors.toMap(Sample::labels, Function.identity()));
        assertThat(byLabels).as("series %s%s", name, labels).containsKey(labels);
        return byLabels.get(labels).value();
    }
}
