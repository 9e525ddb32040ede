package io.inferpulse.ingest.promtext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PromTextParserTest {

    @Test
    void shouldParseSampleWithoutLabels() {
        Exposition exposition = PromTextParser.parse("process_open_fds 27\n");

        assertThat(exposition.samples()).containsExactly(
                new Sample("process_open_fds", Labels.empty(), 27, OptionalLong.empty()));
    }

    @Test
    void shouldParseLabelsAndExposeThemInNameOrder() {
        Sample sample = only("vllm:num_requests_running{model_name=\"llama\",engine=\"0\"} 3\n");

        assertThat(sample.name()).isEqualTo("vllm:num_requests_running");
        assertThat(sample.labels().get("model_name")).isEqualTo("llama");
        assertThat(sample.labels().get("engine")).isEqualTo("0");
        assertThat(sample.labels().get("absent")).isNull();
        assertThat(sample.labels().name(0)).isEqualTo("engine");
        assertThat(sample.labels().name(1)).isEqualTo("model_name");
        assertThat(sample.labels()).isEqualTo(Labels.of("engine", "0", "model_name", "llama"));
    }

    @Test
    void shouldParseEscapedLabelValues() {
        Sample sample = only("m{path=\"C:\\\\temp\",quote=\"say \\\"hi\\\"\",lines=\"a\\nb\"} 1\n");

        assertThat(sample.labels().get("path")).isEqualTo("C:\\temp");
        assertThat(sample.labels().get("quote")).isEqualTo("say \"hi\"");
        assertThat(sample.labels().get("lines")).isEqualTo("a\nb");
    }

    @Test
    void shouldKeepUnknownEscapesInLabelValuesVerbatim() {
        Sample sample = only("m{a=\"tab\\there\",b=\"\\\\n\"} 1\n");

        assertThat(sample.labels().get("a")).isEqualTo("tab\\there");
        assertThat(sample.labels().get("b")).isEqualTo("\\n");
    }

    @Test
    void shouldKeepEmptyAndNonAsciiLabelValues() {
        Sample sample = only("m{running_lora_adapters=\"\",model=\"modèle-日本\"} 1\n");

        assertThat(sample.labels().get("running_lora_adapters")).isEmpty();
        assertThat(sample.labels().get("model")).isEqualTo("modèle-日本");
    }

    @Test
    void shouldUnescapeBackslashAndNewlineInHelpButNotQuotes() {
        Exposition exposition = PromTextParser.parse("# HELP m First\\nsecond \\\\ \\\"q\\\"\nm 1\n");

        assertThat(exposition.families().getFirst().help()).isEqualTo("First\nsecond \\ \\\"q\\\"");
    }

    @Test
    void shouldTreatHelpWithoutTextAsEmpty() {
        Exposition exposition = PromTextParser.parse("# HELP m\n# TYPE m gauge\nm 1\n");

        MetricFamily family = exposition.families().getFirst();
        assertThat(family.help()).isEmpty();
        assertThat(family.type()).isEqualTo(MetricType.GAUGE);
    }

    @Test
    void shouldParseNaNAndInfinities() {
        Exposition exposition = PromTextParser.parse("""
                a NaN
                b +Inf
                c -Inf
                d Inf
                e nan
                f -infinity
                g +INF
                """);

        assertThat(exposition.samples()).extracting(Sample::value).containsExactly(
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY,
                Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    @Test
    void shouldParseNumberForms() {
        Exposition exposition = PromTextParser.parse("""
                a 42
                b -1.5
                c 1e3
                d 1.5E-3
                e .5
                f 5.
                g +3
                h 1.726839813016397e+09
                i -0
                j 0.1234567890123456789
                k 4.4046288803e+10
                l 1e-320
                """);

        assertThat(exposition.samples()).extracting(Sample::value).containsExactly(
                42.0, -1.5, 1000.0, 0.0015, 0.5, 5.0, 3.0, 1.726839813016397e+09, -0.0,
                0.1234567890123456789, 4.4046288803e+10, 1e-320);
        assertThat(Double.doubleToRawLongBits(exposition.samples().get(8).value()))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void shouldParseTimestampsInMilliseconds() {
        Exposition exposition = PromTextParser.parse("""
                a 1 1700000000123
                b{x="y"} 2 0
                c 3
                """);

        assertThat(exposition.samples()).extracting(Sample::timestampMs).containsExactly(
                OptionalLong.of(1_700_000_000_123L), OptionalLong.of(0), OptionalLong.empty());
    }

    @Test
    void shouldGroupHistogramSamplesIntoTheirFamily() {
        Exposition exposition = PromTextParser.parse("""
                # HELP vllm:e2e_request_latency_seconds Histogram of e2e request latency in seconds.
                # TYPE vllm:e2e_request_latency_seconds histogram
                vllm:e2e_request_latency_seconds_bucket{le="0.3",model_name="m"} 1
                vllm:e2e_request_latency_seconds_bucket{le="+Inf",model_name="m"} 4
                vllm:e2e_request_latency_seconds_sum{model_name="m"} 2.5
                vllm:e2e_request_latency_seconds_count{model_name="m"} 4
                vllm:e2e_request_latency_seconds_created{model_name="m"} 1.7e9
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{model_name="m"} 2
                """);

        assertThat(exposition.families()).extracting(MetricFamily::name)
                .containsExactly("vllm:e2e_request_latency_seconds", "vllm:num_requests_running");
        MetricFamily histogram = exposition.families().getFirst();
        assertThat(histogram.type()).isEqualTo(MetricType.HISTOGRAM);
        assertThat(histogram.help()).isEqualTo("Histogram of e2e request latency in seconds.");
        assertThat(histogram.samples()).extracting(Sample::name).containsExactly(
                "vllm:e2e_request_latency_seconds_bucket", "vllm:e2e_request_latency_seconds_bucket",
                "vllm:e2e_request_latency_seconds_sum", "vllm:e2e_request_latency_seconds_count",
                "vllm:e2e_request_latency_seconds_created");
        assertThat(histogram.samples().get(1).labels().get("le")).isEqualTo("+Inf");
        assertThat(exposition.samples()).hasSize(6);
    }

    @Test
    void shouldGroupSummaryAndCounterSamplesIntoTheirFamily() {
        Exposition exposition = PromTextParser.parse("""
                # TYPE go_gc_duration_seconds summary
                go_gc_duration_seconds{quantile="0.5"} 0.0001
                go_gc_duration_seconds_sum 44.9
                go_gc_duration_seconds_count 190932
                # TYPE prometheus_http_requests_total counter
                prometheus_http_requests_total{code="200"} 10
                # TYPE rpc_requests counter
                rpc_requests_total{service="a"} 22.0
                rpc_requests_created{service="a"} 1.7e9
                """);

        assertThat(exposition.families()).extracting(MetricFamily::name, f -> f.samples().size()).containsExactly(
                tuple("go_gc_duration_seconds", 3),
                tuple("prometheus_http_requests_total", 1),
                tuple("rpc_requests", 2));
    }

    @Test
    void shouldStartUntypedFamiliesForSamplesWithoutMetadata() {
        Exposition exposition = PromTextParser.parse("""
                a{x="1"} 1
                a{x="2"} 2
                b 3
                # TYPE c gauge
                c 4
                d 5
                """);

        assertThat(exposition.families()).extracting(MetricFamily::name, MetricFamily::type).containsExactly(
                tuple("a", MetricType.UNTYPED),
                tuple("b", MetricType.UNTYPED),
                tuple("c", MetricType.GAUGE),
                tuple("d", MetricType.UNTYPED));
        assertThat(exposition.families().getFirst().samples()).hasSize(2);
        assertThat(exposition.families().getFirst().help()).isEmpty();
    }

    @Test
    void shouldKeepMisspeltSeriesOutOfAFamilyAndResumeTheFamilyAfterIt() {
        Exposition exposition = PromTextParser.parse("""
                # TYPE h histogram
                h_bucket{le="1"} 1
                hh_bucket{le="1"} 1
                h_bucket{le="+Inf"} 2
                h_count 2
                """);

        assertThat(exposition.families()).extracting(MetricFamily::name).containsExactly("h", "hh_bucket");
        assertThat(exposition.family("h").orElseThrow().samples()).hasSize(3);
        assertThat(exposition.family("hh_bucket").orElseThrow().type()).isEqualTo(MetricType.UNTYPED);
        assertThat(exposition.samples()).extracting(Sample::name)
                .containsExactly("h_bucket", "hh_bucket", "h_bucket", "h_count");
    }

    @Test
    void shouldAcceptOpenMetricsTypes() {
        Exposition exposition = PromTextParser.parse("""
                # TYPE build info
                build_info{version="1"} 1
                # TYPE feature stateset
                feature{feature="a"} 1
                # TYPE queue gaugehistogram
                queue_bucket{le="+Inf"} 3
                queue_gcount 3
                queue_gsum 7
                # TYPE thing unknown
                thing 1
                # TYPE legacy untyped
                legacy 1
                """);

        assertThat(exposition.families()).extracting(MetricFamily::type).containsExactly(
                MetricType.INFO, MetricType.STATESET, MetricType.GAUGE_HISTOGRAM, MetricType.UNKNOWN, MetricType.UNTYPED);
        assertThat(exposition.family("queue").orElseThrow().samples()).hasSize(3);
    }

    @Test
    void shouldTolerateWhitespaceVariants() {
        Exposition exposition = PromTextParser.parse(
                "  m{a=\"1\"} 1\n"
                        + "m{ a = \"1\" , b=\"2\", } 2\n"
                        + "m {a=\"1\",\tb=\"2\"}\t3\t 1700000000000 \n"
                        + "m{}    4\n"
                        + "m{a=\"1\"}5\n"
                        + "\t# TYPE   n  gauge  \n"
                        + "n 6   \n");

        assertThat(exposition.samples()).extracting(Sample::value).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        assertThat(exposition.samples().get(1).labels()).isEqualTo(Labels.of("a", "1", "b", "2"));
        assertThat(exposition.samples().get(2).labels()).isEqualTo(Labels.of("a", "1", "b", "2"));
        assertThat(exposition.samples().get(2).timestampMs()).hasValue(1_700_000_000_000L);
        assertThat(exposition.samples().get(3).labels().isEmpty()).isTrue();
        assertThat(exposition.family("n").orElseThrow().type()).isEqualTo(MetricType.GAUGE);
    }

    @Test
    void shouldIgnoreCommentsAndBlankLines() {
        Exposition exposition = PromTextParser.parse("""
                #no space after hash
                # just a comment

                # HELP
                # UNIT m seconds
                #\tTYPEwriter
                m 1


                """);

        assertThat(exposition.samples()).hasSize(1);
        assertThat(exposition.families()).extracting(MetricFamily::name).containsExactly("m");
    }

    @Test
    void shouldNotRequireTrailingNewline() {
        assertThat(only("m{a=\"b\"} 7").value()).isEqualTo(7.0);
    }

    @Test
    void shouldParseEmptyBody() {
        Exposition exposition = PromTextParser.parse(new byte[0]);

        assertThat(exposition.families()).isEmpty();
        assertThat(exposition.samples()).isEmpty();
    }

    @Test
    void shouldStopAtOpenMetricsEof() {
        Exposition exposition = PromTextParser.parse("m 1\n# EOF\nthis is { not parsed\n");

        assertThat(exposition.samples()).hasSize(1);
    }

    @Test
    void shouldSkipOpenMetricsExemplars() {
        Exposition exposition = PromTextParser.parse("""
                # TYPE h histogram
                h_bucket{le="0.1"} 3 # {trace_id="abc",span="x"} 0.05 1.7268398142239082e+09
                h_bucket{le="+Inf"} 5 1700000000000 # {trace_id="def"} 0.2
                """);

        assertThat(exposition.samples()).extracting(Sample::value).containsExactly(3.0, 5.0);
        assertThat(exposition.samples().get(0).labels()).isEqualTo(Labels.of("le", "0.1"));
        assertThat(exposition.samples().get(1).timestampMs()).hasValue(1_700_000_000_000L);
    }

    @Test
    void shouldKeepDuplicateSeries() {
        Exposition exposition = PromTextParser.parse("m{a=\"1\"} 1\nm{a=\"1\"} 2\n");

        assertThat(exposition.samples()).extracting(Sample::value).containsExactly(1.0, 2.0);
    }

    @Test
    void shouldParseBytesAndStringTheSame() {
        String text = "# HELP m Größe\n# TYPE m gauge\nm{model=\"modèle\"} 1.5 12\n";

        assertThat(PromTextParser.parse(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(PromTextParser.parse(text));
    }

    @Test
    void shouldAcceptBodyOfExactlyTheLimit() {
        byte[] body = "m 1\n".getBytes(StandardCharsets.UTF_8);

        assertThat(PromTextParser.parse(body, body.length).samples()).hasSize(1);
    }

    @Test
    void shouldFindFamiliesAndSamplesByName() {
        Exposition exposition = PromTextParser.parse("""
                # TYPE h histogram
                h_bucket{le="1"} 1
                h_bucket{le="+Inf"} 2
                h_sum 3
                h_count 2
                """);

        assertThat(exposition.family("h")).isPresent();
        assertThat(exposition.family("h_bucket")).isEmpty();
        assertThat(exposition.samples("h_bucket")).extracting(Sample::value).containsExactly(1.0, 2.0);
        assertThat(exposition.samples("nope")).isEmpty();
    }

    @Test
    void shouldReturnImmutableResults() {
        Exposition exposition = PromTextParser.parse("m 1\n");

        List<Sample> samples = exposition.samples();
        assertThatThrownBy(() -> samples.add(samples.getFirst())).isInstanceOf(UnsupportedOperationException.class);
        List<Sample> familySamples = exposition.families().getFirst().samples();
        assertThatThrownBy(familySamples::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> exposition.samples("m").clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    private static Sample only(String text) {
        List<Sample> samples = PromTextParser.parse(text).samples();
        assertThat(samples).hasSize(1);
        return samples.getFirst();
    }
}
