package io.inferpulse.devstack.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.devstack.prometheus.EppRequestSeries.Request;
import io.inferpulse.devstack.prometheus.RuleTestFile.InputSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EppRequestSeriesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final ScrapeSchedule SCHEDULE = new ScrapeSchedule(T0, Duration.ofSeconds(10), 4);
    private static final String LLAMA = "{model_name=\"llama\",target_model_name=\"llama\"}";

    @Test
    void shouldCountRequestsAtTheFirstScrapeAfterTheyComplete() {
        // given requests completing at 5s, exactly at 10s, at 12s (an error) and after the last scrape at 30s
        List<Request> requests = List.of(
                new Request(T0.plusSeconds(4), "llama", "llama", 200, 1.0, false),
                new Request(T0.plusSeconds(9), "llama", "llama", 200, 1.0, false),
                new Request(T0.plusSeconds(2), "llama", "llama", 500, 10.0, true),
                new Request(T0.plusSeconds(29), "llama", "llama", 200, 1.5, false));

        // when scraped at 0, 10, 20 and 30s
        Map<String, String> series = values(EppRequestSeries.scrape(requests, SCHEDULE));

        // then nothing exists at 0s, the first two count at 10s, the error at 20s, the last is never seen
        assertThat(series.get("inference_model_request_total" + LLAMA)).isEqualTo("_ 2 3x1");
        assertThat(series.get("inference_model_request_error_total{error_code=\"500\",model_name=\"llama\",target_model_name=\"llama\"}"))
                .isEqualTo("_ _ 1x1");
        assertThat(series.get("inference_model_request_duration_seconds_bucket{le=\"1\",model_name=\"llama\",target_model_name=\"llama\"}"))
                .isEqualTo("_ 2x2");
        assertThat(series.get("inference_model_request_duration_seconds_bucket{le=\"8\",model_name=\"llama\",target_model_name=\"llama\"}"))
                .isEqualTo("_ 2x2");
        assertThat(series.get("inference_model_request_duration_seconds_bucket{le=\"10\",model_name=\"llama\",target_model_name=\"llama\"}"))
                .isEqualTo("_ 2 3x1");
        assertThat(series.get("inference_model_request_duration_seconds_bucket{le=\"+Inf\",model_name=\"llama\",target_model_name=\"llama\"}"))
                .isEqualTo("_ 2 3x1");
        assertThat(series.get("inference_model_request_duration_seconds_sum" + LLAMA)).isEqualTo("_ 2 12x1");
        assertThat(series.get("inference_model_request_duration_seconds_count" + LLAMA)).isEqualTo("_ 2 3x1");
        assertThat(series).hasSize(2 + EppRequestSeries.DURATION_BUCKETS.size() + 1 + 2);
    }

    @Test
    void shouldWriteTheEppBucketBoundsAsClientGolangDoes() {
        assertThat(EppRequestSeries.DURATION_BUCKETS).hasSize(35).startsWith(0.005, 0.025).endsWith(2700.0, 3600.0);
        assertThat(EppRequestSeries.DURATION_BUCKETS.stream().map(EppRequestSeries::le).toList())
                .contains("0.005", "1", "1.25", "2", "45", "3600");
        assertThat(EppRequestSeries.le(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    }

    @Test
    void shouldRejectARequestWithoutAUsableLatency() {
        assertThatThrownBy(() -> new Request(T0, "llama", "llama", 200, -0.1, false))
                .hasMessageContaining("request at 2026-01-01T00:00:00Z for llama: latency must be a finite number of seconds >= 0, got -0.1");
        assertThatThrownBy(() -> new Request(T0, "llama", "llama", 200, Double.NaN, false)).hasMessageContaining("got NaN");
    }

    @Test
    void shouldMarkAGaugeStaleWhenItsExporterStopsExposingIt() {
        InputSeries series = GaugeTimeline.of("inference_pool_ready_pods", Map.of("name", "llm"))
                .set(T0.plusSeconds(5), 3).set(T0.plusSeconds(10), 2).remove(T0.plusSeconds(25))
                .scrape(new ScrapeSchedule(T0, Duration.ofSeconds(10), 6));

        assertThat(series.series()).isEqualTo("inference_pool_ready_pods{name=\"llm\"}");
        assertThat(series.values().text()).isEqualTo("_ 2x1 stale _ _");
    }

    private static Map<String, String> values(List<InputSeries> series) {
        return series.stream().collect(Collectors.toMap(InputSeries::series, s -> s.values().text()));
    }
}
