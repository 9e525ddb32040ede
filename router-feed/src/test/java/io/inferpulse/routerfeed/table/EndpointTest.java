package io.inferpulse.routerfeed.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.EndpointHealth;
import io.inferpulse.avro.EndpointScore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class EndpointTest {

    /** Through Avro binary and back, as the topic delivers it: strings arrive as Utf8. */
    private static EndpointScore roundTrip(EndpointScore score) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(EndpointScore.class).write(score, encoder);
        encoder.flush();
        return new SpecificDatumReader<>(EndpointScore.class)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }

    @Test
    void shouldCarryEveryFieldOfADecodedScoreWithStringKeys() throws IOException {
        Instant sampled = Instant.parse("2026-01-01T00:00:00Z");
        EndpointScore decoded = roundTrip(EndpointScore.newBuilder()
                .setCluster("gke-eu").setNamespace("llm").setPool("vllm").setPod("vllm-0").setAddress("10.0.0.7:8000")
                .setScore(0.8).setParts(Map.of("queue", 0.6, "kv-cache", 1.0)).setHealth(EndpointHealth.STALE)
                .setClusterLabels(Map.of("gke.io/zone", "europe-west4-a")).setLoraAdapters(List.of("sql-lora"))
                .setRequestsWaiting(3).setRequestsRunning(5).setKvCacheUsageRatio(0.4)
                .setSampleTime(sampled).setExpiresAt(sampled.plusSeconds(2))
                .build());

        Endpoint endpoint = Endpoint.from("gke-eu/llm/vllm-0:8000", decoded);

        assertThat(endpoint).isEqualTo(new Endpoint("gke-eu/llm/vllm-0:8000", "10.0.0.7:8000", "vllm-0", "gke-eu/llm/vllm",
                0.8, Map.of("queue", 0.6, "kv-cache", 1.0), Endpoint.Health.STALE, Map.of("gke.io/zone", "europe-west4-a"),
                List.of("sql-lora"), new Endpoint.Load(3, 5, 0.4), sampled, sampled.plusSeconds(2)));
        assertThat(endpoint.parts().get("queue")).isEqualTo(0.6);
        assertThat(endpoint.clusterLabels().get("gke.io/zone")).isEqualTo("europe-west4-a");
    }
}
