package io.inferpulse.streams.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class RequestBucketTest {
    private final Serde<RequestBucket> serde = RequestBucket.serde();

    @Test
    void shouldKeepCountsAndQuantilesThroughTheStore() {
        // given a bucket of 100 requests, every tenth failed, latencies 1 ms .. 100 s
        RequestBucket bucket = RequestBucket.empty(0.01);
        for (int i = 0; i < 100; i++) {
            bucket.add(i % 10 == 0, Math.pow(10, -3 + 5 * i / 99.0), 10L, i % 2 == 0 ? 3L : null);
        }

        // when it is written and read back
        RequestBucket read = serde.deserializer().deserialize("store", serde.serializer().serialize("store", bucket));

        // then it answers as the original, and merges with a fresh bucket
        assertThat(read.count()).isEqualTo(100);
        assertThat(read.errors()).isEqualTo(10);
        assertThat(read.inputTokens()).isEqualTo(1000);
        assertThat(read.outputTokens()).isEqualTo(150);
        for (double q : new double[] {0.0, 0.5, 0.9, 0.99, 1.0}) {
            assertThat(read.latencyAt(q)).isEqualTo(bucket.latencyAt(q));
        }
        RequestBucket merged = RequestBucket.empty(0.01);
        read.mergeInto(merged);
        bucket.mergeInto(merged);
        assertThat(merged.count()).isEqualTo(200);
        assertThat(merged.latencyAt(0.5)).isCloseTo(Math.pow(10, -3 + 5 * 49 / 99.0), withinPercentage(1));
    }

    @Test
    void shouldRejectAnUnknownVersionAndTruncatedRecords() {
        RequestBucket bucket = RequestBucket.empty(0.01);
        bucket.add(false, 0.5, null, null);
        byte[] bytes = serde.serializer().serialize("store", bucket);

        byte[] otherVersion = bytes.clone();
        otherVersion[0] = 9;
        assertThatThrownBy(() -> serde.deserializer().deserialize("store", otherVersion))
                .isInstanceOf(SerializationException.class).hasMessageContaining("version 9 is unknown");
        assertThatThrownBy(() -> serde.deserializer().deserialize("store", Arrays.copyOf(bytes, 20)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("malformed (20 bytes)");
    }
}
