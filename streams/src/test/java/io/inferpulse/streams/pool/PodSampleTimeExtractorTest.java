package io.inferpulse.streams.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.PodMetrics;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class PodSampleTimeExtractorTest {
    private static final long PRODUCED_AT = 1_748_858_400_900L;

    private final PodSampleTimeExtractor extractor = new PodSampleTimeExtractor();

    @Test
    void shouldUseTheSampleTimeAsEventTime() {
        // given a sample produced 900 ms after its scrape
        PodMetrics sample = PodMetrics.newBuilder().setCluster("c").setNamespace("n").setPool("p").setPod("pod-0")
                .setAddress("10.0.0.1:8000").setEngine("vllm").setSampleTime(Instant.ofEpochMilli(PRODUCED_AT - 900))
                .build();

        // when / then
        assertThat(extractor.extract(record(sample), -1L)).isEqualTo(PRODUCED_AT - 900);
    }

    @Test
    void shouldKeepTheRecordTimestampWithoutASample() {
        assertThat(extractor.extract(record(null), -1L)).isEqualTo(PRODUCED_AT);
    }

    private static ConsumerRecord<Object, Object> record(Object value) {
        return new ConsumerRecord<>("inferpulse.pod-metrics", 0, 42L, PRODUCED_AT, TimestampType.CREATE_TIME,
                -1, -1, "c/n/p", value, new RecordHeaders(), Optional.empty());
    }
}
