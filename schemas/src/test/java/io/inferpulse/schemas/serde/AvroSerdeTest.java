package io.inferpulse.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.avro.GpuSample;
import io.inferpulse.avro.LoraInfo;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.registry.RegisteredSchema;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private static final String TOPIC = "inferpulse.pod-metrics";

    private final String scope = "serde-test-" + UUID.randomUUID();
    private final InMemorySchemaRegistryClient registry = InMemorySchemaRegistryClient.forScope(scope);

    @Test
    void shouldRoundTripAPodMetricsWithEveryFieldSet() {
        PodMetrics sample = fullPodMetrics();
        AvroSerdes serdes = new AvroSerdes(registry);

        byte[] bytes = serdes.valueSerde(PodMetrics.class).serializer().serialize(TOPIC, sample);
        PodMetrics read = serdes.valueSerde(PodMetrics.class).deserializer().deserialize(TOPIC, bytes);

        assertThat(read).isEqualTo(sample);
        assertThat(read.getGpus().getFirst().getOther()).containsEntry("DCGM_FI_DEV_SM_CLOCK", 1410.0);
        assertThat(registry.lookup(TOPIC + "-value", PodMetrics.getClassSchema()).version()).isEqualTo(1);
    }

    @Test
    void shouldWriteMagicByteZeroAndTheSchemaIdBigEndian() {
        SchemaRegistryClient fixedId = new FixedIdRegistry(0x01020304);
        byte[] bytes = new AvroSerializer<PodMetrics>(fixedId, false).serialize(TOPIC, fullPodMetrics());

        assertThat(bytes[0]).isZero();
        assertThat(new byte[] {bytes[1], bytes[2], bytes[3], bytes[4]}).containsExactly(1, 2, 3, 4);
        assertThat(new AvroDeserializer<>(fixedId, PodMetrics.class).deserialize(TOPIC, bytes)).isEqualTo(fullPodMetrics());
    }

    @Test
    void shouldRejectAPayloadNotInTheWireFormatClearly() {
        AvroDeserializer<PodMetrics> deserializer = new AvroDeserializer<>(registry, PodMetrics.class);

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, "{\"json\":1}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not in the Confluent wire format").hasMessageContaining("magic byte 123");
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not in the Confluent wire format").hasMessageContaining("only 3 bytes");
    }

    @Test
    void shouldNameTheMissingSchemaIdWhenTheRegistryDoesNotKnowIt() {
        byte[] unknownId = ByteBuffer.allocate(6).put((byte) 0).putInt(999).put((byte) 0).array();

        assertThatThrownBy(() -> new AvroDeserializer<>(registry, PodMetrics.class).deserialize(TOPIC, unknownId))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id 999")
                .hasCauseInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void shouldGiveEachRecordClassOnOneTopicItsOwnSchemaId() {
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, false);
        PoolStats poolStats = PoolStats.newBuilder().setCluster("prod-eu").setNamespace("llm").setPool("vllm-llama3-8b")
                .setComputedAt(Instant.parse("2025-06-01T12:00:00Z")).setReadyPods(3).build();

        int podId = schemaId(serializer.serialize(TOPIC, fullPodMetrics()));
        int poolId = schemaId(serializer.serialize(TOPIC, poolStats));

        assertThat(podId).isNotEqualTo(poolId);
        assertThat(registry.schemaById(poolId)).isEqualTo(PoolStats.getClassSchema());
    }

    @Test
    void shouldBeUsableByClassNameFromKafkaClientConfigs() throws Exception {
        Map<String, Object> configs = Map.of(
                "schema.registry.url", "mock://" + scope,
                AvroDeserializer.SPECIFIC_AVRO_VALUE_TYPE, PodMetrics.class.getName());
        @SuppressWarnings("unchecked")
        Serializer<PodMetrics> serializer = Utils.newInstance(AvroSerializer.class.getName(), Serializer.class);
        @SuppressWarnings("unchecked")
        Deserializer<PodMetrics> deserializer = Utils.newInstance(AvroDeserializer.class.getName(), Deserializer.class);
        serializer.configure(configs, false);
        deserializer.configure(configs, false);

        byte[] bytes = serializer.serialize(TOPIC, fullPodMetrics());

        assertThat(deserializer.deserialize(TOPIC, bytes)).isEqualTo(fullPodMetrics());
        assertThat(schemaId(bytes)).isEqualTo(registry.lookup(TOPIC + "-value", PodMetrics.getClassSchema()).id());
    }

    @Test
    void shouldReadIntoTheGeneratedClassOfTheWritersNameWhenNoTypeIsConfigured() {
        byte[] bytes = new AvroSerializer<PodMetrics>(registry, false).serialize(TOPIC, fullPodMetrics());
        AvroDeserializer<PodMetrics> deserializer = new AvroDeserializer<>();
        deserializer.configure(Map.of("schema.registry.url", "mock://" + scope), false);

        assertThat(deserializer.deserialize(TOPIC, bytes)).isInstanceOf(PodMetrics.class).isEqualTo(fullPodMetrics());
    }

    @Test
    void shouldLookTheSchemaUpInsteadOfRegisteringWhenAutoRegisterIsOff() {
        AvroSerializer<PodMetrics> serializer = new AvroSerializer<>();
        serializer.configure(Map.of("schema.registry.url", "mock://" + scope, "auto.register.schemas", "false"), false);

        assertThatThrownBy(() -> serializer.serialize(TOPIC, fullPodMetrics()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Could not look up")
                .cause().isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
        int id = registry.register(TOPIC + "-value", PodMetrics.getClassSchema());

        assertThat(schemaId(serializer.serialize(TOPIC, fullPodMetrics()))).isEqualTo(id);
    }

    @Test
    void shouldNameTheBadSerdeProperty() {
        assertThatThrownBy(() -> new AvroSerializer<PodMetrics>().configure(
                Map.of("schema.registry.url", "mock://x", "auto.register.schemas", "yes"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auto.register.schemas");
        assertThatThrownBy(() -> new AvroDeserializer<PodMetrics>().configure(
                Map.of("schema.registry.url", "mock://x", "specific.avro.key.type", "java.lang.String"), true))
                .isInstanceOf(ConfigException.class).hasMessageContaining("specific.avro.key.type");
        assertThatThrownBy(() -> new AvroDeserializer<PodMetrics>().configure(Map.of(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
    }

    private static int schemaId(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }

    static PodMetrics fullPodMetrics() {
        return PodMetrics.newBuilder()
                .setCluster("prod-eu").setNamespace("llm").setPool("vllm-llama3-8b").setPod("vllm-llama3-8b-7d9f-abcde")
                .setAddress("10.0.3.17:8000").setEngine("vllm").setStatus(PodStatus.UP)
                .setSampleTime(Instant.parse("2025-06-01T12:00:00.123Z").truncatedTo(ChronoUnit.MILLIS))
                .setScrapeDurationSeconds(0.012)
                .setKvCacheUsageRatio(0.42).setRequestsWaiting(3.0).setRequestsRunning(17.0)
                .setLora(LoraInfo.newBuilder().setMaxLora(4)
                        .setRunningAdapters(List.of("sql-lora")).setWaitingAdapters(List.of("tweet-lora")).build())
                .setCacheConfig(Map.of("block_size", "16", "num_gpu_blocks", "2048"))
                .setGpus(List.of(GpuSample.newBuilder().setGpu("0").setUuid("GPU-1f2e").setModelName("NVIDIA L4")
                        .setHostname("node-a").setUtilizationPercent(87.0).setFramebufferUsedMib(20_000.0)
                        .setFramebufferFreeMib(2_500.0).setPowerWatts(71.5).setTemperatureCelsius(64.0)
                        .setOther(Map.of("DCGM_FI_DEV_SM_CLOCK", 1410.0)).build()))
                .setLabels(Map.of("app", "vllm-llama3-8b", "inference.networking.k8s.io/engine-type", "vllm"))
                .build();
    }

    /** Answers every registration with one id, to see its bytes in the header. */
    private record FixedIdRegistry(int id) implements SchemaRegistryClient {
        @Override
        public int register(String subject, Schema schema) {
            return id;
        }

        @Override
        public RegisteredSchema lookup(String subject, Schema schema) {
            return new RegisteredSchema(subject, 1, id);
        }

        @Override
        public Schema schemaById(int requested) {
            return PodMetrics.getClassSchema();
        }
    }
}
