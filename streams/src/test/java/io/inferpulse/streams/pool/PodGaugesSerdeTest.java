package io.inferpulse.streams.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class PodGaugesSerdeTest {
    private static final String TOPIC = "app-pool-pod-samples-changelog";

    private final PodGaugesSerde serde = new PodGaugesSerde();

    @Test
    void shouldRoundTripEveryGauge() {
        // given
        PodGauges gauges = new PodGauges(1_748_858_400_123L, 0.875, 12.0, 3.5, "gke-eu-1", "llm", "vllm-llama3");

        // when
        byte[] bytes = serde.serializer().serialize(TOPIC, gauges);

        // then: 1 version + 8 time + 1 flags + 3 x 8 gauges + 3 x 2 lengths + 8 + 3 + 11 name bytes
        assertThat(bytes).hasSize(62);
        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(gauges);
    }

    @Test
    void shouldRoundTripMissingGaugesAndNonAsciiNames() {
        // given
        PodGauges gauges = new PodGauges(-1L, null, 0.0, null, "", "équipe-ü", "池-α");

        // when
        PodGauges read = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, gauges));

        // then
        assertThat(read).isEqualTo(gauges);
        assertThat(read.kv()).isNull();
        assertThat(read.running()).isNull();
    }

    @Test
    void shouldKeepNullForTombstones() {
        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void shouldRejectAnUnknownFormatVersion() {
        // given
        byte[] bytes = serde.serializer().serialize(TOPIC, new PodGauges(1L, 0.5, 1.0, 1.0, "c", "n", "p"));
        bytes[0] = 2;

        // when / then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("version 2");
    }

    @Test
    void shouldRejectATruncatedRecord() {
        // given
        byte[] bytes = serde.serializer().serialize(TOPIC, new PodGauges(1L, 0.5, 1.0, 1.0, "c", "n", "pool"));

        // when / then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("truncated");
    }
}
