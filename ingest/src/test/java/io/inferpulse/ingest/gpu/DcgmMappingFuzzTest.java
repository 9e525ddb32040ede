package io.inferpulse.ingest.gpu;

import static io.inferpulse.ingest.promtext.RandomExpositions.SEED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.inferpulse.ingest.promtext.RandomExpositions;
import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.PromTextParseException;
import io.inferpulse.ingest.promtext.PromTextParser;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property tests: {@link DcgmMapping} never throws on a parsed exposition, whatever its labels and
 * values, every GPU it returns is finite, and {@link GpuTelemetry} takes whatever it returns.
 */
class DcgmMappingFuzzTest {

    private static final List<String> METRICS = List.of("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED",
            "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_SM_CLOCK",
            "DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_EXP_XID_ERRORS_COUNT");
    private static final List<String> LABELS = List.of("gpu", "UUID", "device", "modelName", "Hostname",
            "DCGM_FI_DRIVER_VERSION", "container", "namespace", "pod", "GPU_I_ID", "xid");

    @Test
    void shouldNeverThrowOnRandomExpositionsOfDcgmNames() {
        Random random = new Random(SEED);
        for (int i = 0; i < 2000; i++) {
            String text = RandomExpositions.generate(random, METRICS, LABELS, 40);
            assertMapsCleanly(PromTextParser.parse(text), i, text);
        }
    }

    @Test
    void shouldNeverThrowOnMutatedRealExporterOutput() {
        Random random = new Random(SEED);
        byte[] fixture = DcgmMappingTest.bytes(DcgmMappingTest.FIXTURE);
        for (int i = 0; i < 1000; i++) {
            byte[] body = RandomExpositions.mutate(fixture, random);
            Exposition exposition;
            try {
                exposition = PromTextParser.parse(body);
            } catch (PromTextParseException e) {
                continue;
            }
            assertMapsCleanly(exposition, i, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static void assertMapsCleanly(Exposition exposition, int caseNumber, String text) {
        try {
            for (DcgmMapping.AttributedGpu attributed : DcgmMapping.gpus(exposition)) {
                GpuSample gpu = attributed.gpu();
                gpu.utilizationPercent().ifPresent(v -> assertThat(v).isFinite());
                gpu.other().values().forEach(v -> assertThat(v).isFinite());
            }
            Map<PodRef, List<GpuSample>> byPod = DcgmMapping.byPod(exposition);
            GpuTelemetry telemetry = new GpuTelemetry();
            telemetry.update(URI.create("http://node:9400/metrics"), byPod, Instant.EPOCH);
            byPod.keySet().forEach(pod -> assertThat(telemetry.gpusOf(pod.namespace(), pod.pod(), Instant.EPOCH))
                    .isNotEmpty());
        } catch (RuntimeException | AssertionError e) {
            fail("seed " + SEED + ", case " + caseNumber + ": " + e + "\n" + text, e);
        }
    }
}
