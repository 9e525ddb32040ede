package io.inferpulse.streams.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The store values survive their changelog, and a damaged one is refused with the reason rather than misread. */
class ScoreStoreSerdesTest {
    private static final String TOPIC = "inferpulse-endpoint-scores-endpoint-score-samples-changelog";

    @Test
    void shouldRoundTripASampleWithAndWithoutItsGauges() {
        Serde<EndpointSample> serde = EndpointSampleSerde.serde();
        EndpointSample full = new EndpointSample(1_750_000_000_123L, 0.42, 3.0, 7.0, 4, List.of("sql-lora", "chat-lora"),
                "gke-eu-1", "llm", "vllm-llama3", "llama-0", "10.8.0.12:8000");
        EndpointSample bare = new EndpointSample(1L, null, null, null, 0, List.of(), "c", "n", "p", "pod", "[fd00::1]:8000");

        for (EndpointSample sample : List.of(full, bare)) {
            assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, sample))).isEqualTo(sample);
        }
    }

    @Test
    void shouldRefuseATruncatedSample() {
        Serde<EndpointSample> serde = EndpointSampleSerde.serde();
        byte[] bytes = serde.serializer().serialize(TOPIC, new EndpointSample(1L, 0.5, 1.0, 1.0, 0, List.of(), "c", "n", "p",
                "pod", "10.0.0.1:8000"));

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("truncated");
    }

    @Test
    void shouldRefuseValuesWrittenInAFormatVersionThisReleaseDoesNotKnow() {
        byte[] sample = EndpointSampleSerde.serde().serializer().serialize(TOPIC, new EndpointSample(1L, 0.5, 1.0, 1.0, 0,
                List.of(), "c", "n", "p", "pod", "10.0.0.1:8000"));
        RecentOutcomes recent = new RecentOutcomes();
        recent.add(10_500, 1000, true, 0.25);
        byte[] outcomes = RecentOutcomes.serde().serializer().serialize(TOPIC, recent);
        // a value from a later release: the version byte leads
        sample[0] = 2;
        outcomes[0] = 2;

        assertThatThrownBy(() -> EndpointSampleSerde.serde().deserializer().deserialize(TOPIC, sample))
                .isInstanceOf(SerializationException.class)
                .hasMessage("EndpointSample format version 2 is unknown (topic " + TOPIC + "); this release reads version 1");
        assertThatThrownBy(() -> RecentOutcomes.serde().deserializer().deserialize(TOPIC, outcomes))
                .isInstanceOf(SerializationException.class)
                .hasMessage("RecentOutcomes format version 2 is unknown (topic " + TOPIC + "); this release reads version 1");
    }

    @Test
    void shouldRoundTripOutcomeBucketsAndExpireThemWithTheWindow() {
        RecentOutcomes outcomes = new RecentOutcomes();
        outcomes.add(10_500, 1000, true, 0.25);
        outcomes.add(12_100, 1000, false, 1.0);
        outcomes.add(10_900, 1000, false, 0.75);
        outcomes.add(11_000, 1000, false, 2.0);
        Serde<RecentOutcomes> serde = RecentOutcomes.serde();

        RecentOutcomes copy = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, outcomes));

        assertThat(copy.requests(0, 1000)).isEqualTo(4);
        assertThat(copy.errors(0, 1000)).isEqualTo(1);
        assertThat(copy.latencySeconds(0, 1000)).isEqualTo(4.0);
        // the window starting at 11 000 leaves out the bucket [10 000, 11 000)
        assertThat(copy.requests(11_000, 1000)).isEqualTo(2);
        assertThat(copy.expire(11_000, 1000)).isTrue();
        assertThat(copy.errors(0, 1000)).isZero();
        assertThat(copy.expire(11_000, 1000)).isFalse();
        assertThat(copy.expire(13_000, 1000)).isTrue();
        assertThat(copy.isEmpty()).isTrue();
    }

    @Test
    void shouldRefuseOutcomesWhoseLengthDoesNotMatchTheirCount() {
        RecentOutcomes outcomes = new RecentOutcomes();
        outcomes.add(10_500, 1000, true, 0.25);
        byte[] bytes = RecentOutcomes.serde().serializer().serialize(TOPIC, outcomes);

        assertThatThrownBy(() -> RecentOutcomes.serde().deserializer().deserialize(TOPIC, Arrays.copyOf(bytes, bytes.length + 8)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("claims 1 buckets in 40 bytes");
    }
}
