package io.inferpulse.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The benchmark client's scan of an answer agrees with a JSON parser, and refuses what is not a served value. */
class MetricsApiBenchmarkTest {
    private static long scan(String body) {
        return MetricsApiBenchmark.firstValue(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadTheFirstItemsValueAsAParserDoes() throws Exception {
        String body = "{\"kind\":\"ExternalMetricValueList\",\"apiVersion\":\"external.metrics.k8s.io/v1beta1\",\"metadata\":{},"
                + "\"items\":[{\"metricName\":\"inference_pool_total_queue_size\",\"metricLabels\":{\"name\":\"pool-3\","
                + "\"namespace\":\"bench\",\"cluster\":\"bench\"},\"timestamp\":\"2026-11-22T10:00:00Z\",\"value\":\"417\"},"
                + "{\"metricName\":\"x\",\"metricLabels\":{},\"timestamp\":\"2026-11-22T10:00:00Z\",\"value\":\"9\"}]}";
        assertThat(scan(body)).isEqualTo(417).isEqualTo(new ObjectMapper().readTree(body).at("/items/0/value").asLong());
    }

    @Test
    void shouldRefuseAnEmptyListAStatusAndANonIntegerValue() {
        assertThat(scan("{\"kind\":\"ExternalMetricValueList\",\"metadata\":{},\"items\":[]}")).isEqualTo(-1);
        assertThat(scan("{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"\\\"value\\\":\\\"3\\\"\",\"code\":404}"))
                .isEqualTo(-1);
        assertThat(scan("{\"items\":[{\"value\":\"1500m\"}]}")).isEqualTo(-1);
        assertThat(scan("{\"items\":[{\"value\":\"\"}]}")).isEqualTo(-1);
        assertThat(scan("{\"items\":[{\"value\":\"12")).isEqualTo(-1);
        assertThat(scan("{\"items\":[{\"value\":\"0\"}]}")).isEqualTo(0);
    }
}
