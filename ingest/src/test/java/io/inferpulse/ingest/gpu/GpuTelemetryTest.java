package io.inferpulse.ingest.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Time is explicit in every call, so these tests drive the clock by hand. */
class GpuTelemetryTest {

    private static final URI NODE_A = URI.create("http://10.128.0.11:9400/metrics");
    private static final URI NODE_B = URI.create("http://10.128.0.12:9400/metrics");
    private static final PodRef LLAMA = new PodRef("llm", "llama-0");
    private static final PodRef QWEN = new PodRef("llm", "qwen-0");
    private static final Instant T0 = Instant.parse("2025-08-04T12:00:00Z");

    private final GpuTelemetry telemetry = new GpuTelemetry(Duration.ofSeconds(10));

    @Test
    void shouldReturnTheGpusOfAPodFromTheRealExporterOutput() {
        telemetry.update(NODE_A, DcgmMapping.byPod(DcgmMappingTest.resource(DcgmMappingTest.FIXTURE)), T0);

        assertThat(telemetry.gpusOf("llm", "llama-7c9d-x2k4", T0.plusSeconds(1)))
                .singleElement().satisfies(gpu -> assertThat(gpu.utilizationPercent()).hasValue(87.0));
        assertThat(telemetry.gpusOf("llm", "someone-else", T0)).isEmpty();
    }

    @Test
    void shouldReturnSamplesUntilTheyAreOlderThanTheMaximumAge() {
        telemetry.update(NODE_A, Map.of(LLAMA, List.of(gpu("GPU-a", 50))), T0);

        assertThat(telemetry.gpusOf("llm", "llama-0", T0)).hasSize(1);
        assertThat(telemetry.gpusOf("llm", "llama-0", T0.plusSeconds(10))).hasSize(1);
        assertThat(telemetry.gpusOf("llm", "llama-0", T0.plusSeconds(10).plusMillis(1))).isEmpty();
        // A lookup stamped before the report (clocks of two scrapers) still sees it.
        assertThat(telemetry.gpusOf("llm", "llama-0", T0.minusSeconds(1))).hasSize(1);
    }

    @Test
    void shouldReplaceAllThatAnExporterReportedBefore() {
        telemetry.update(NODE_A, Map.of(LLAMA, List.of(gpu("GPU-a", 50)), QWEN, List.of(gpu("GPU-b", 60))), T0);
        telemetry.update(NODE_A, Map.of(QWEN, List.of(gpu("GPU-b", 70))), T0.plusSeconds(1));

        // The pod left the node: gone at once, not after the maximum age.
        assertThat(telemetry.gpusOf("llm", "llama-0", T0.plusSeconds(1))).isEmpty();
        assertThat(telemetry.gpusOf("llm", "qwen-0", T0.plusSeconds(1)))
                .singleElement().satisfies(gpu -> assertThat(gpu.utilizationPercent()).hasValue(70.0));
    }

    @Test
    void shouldStopCountingAVanishedExporterAfterTheMaximumAgeWhileOthersGoOn() {
        telemetry.update(NODE_A, Map.of(LLAMA, List.of(gpu("GPU-a", 50))), T0);
        telemetry.update(NODE_B, Map.of(QWEN, List.of(gpu("GPU-b", 60))), T0);
        for (int s = 5; s <= 30; s += 5) {
            telemetry.update(NODE_B, Map.of(QWEN, List.of(gpu("GPU-b", 60 + s))), T0.plusSeconds(s));
        }

        assertThat(telemetry.gpusOf("llm", "llama-0", T0.plusSeconds(30))).isEmpty();
        assertThat(telemetry.gpusOf("llm", "qwen-0", T0.plusSeconds(30)))
                .singleElement().satisfies(gpu -> assertThat(gpu.utilizationPercent()).hasValue(90.0));
        // And the vanished exporter is forgotten rather than kept forever.
        assertThat(telemetry.exporters()).containsExactly(NODE_B);
    }

    @Test
    void shouldPreferTheNewerReportWhenTwoExportersReportTheSameGpu() {
        // The node's exporter restarted under a new address; its old report is still fresh.
        telemetry.update(NODE_A, Map.of(LLAMA, List.of(gpu("GPU-a", 50))), T0);
        telemetry.update(NODE_B, Map.of(LLAMA, List.of(gpu("GPU-a", 55), gpu("GPU-c", 5))), T0.plusSeconds(2));

        List<GpuSample> gpus = telemetry.gpusOf("llm", "llama-0", T0.plusSeconds(3));
        assertThat(gpus).extracting(GpuSample::uuid).containsExactly("GPU-a", "GPU-c");
        assertThat(gpus.get(0).utilizationPercent()).hasValue(55.0);
    }

    @Test
    void shouldIgnoreAReportOlderThanTheOneHeld() {
        telemetry.update(NODE_A, Map.of(LLAMA, List.of(gpu("GPU-a", 80))), T0.plusSeconds(2));
        telemetry.update(NODE_A, Map.of(LLAMA, List.of(gpu("GPU-a", 10))), T0.plusSeconds(1));

        assertThat(telemetry.gpusOf("llm", "llama-0", T0.plusSeconds(2)))
                .singleElement().satisfies(gpu -> assertThat(gpu.utilizationPercent()).hasValue(80.0));
    }

    @Test
    void shouldForgetARemovedExporterAtOnce() {
        telemetry.update(NODE_A, Map.of(LLAMA, List.of(gpu("GPU-a", 50))), T0);

        telemetry.remove(NODE_A);

        assertThat(telemetry.gpusOf("llm", "llama-0", T0)).isEmpty();
        assertThat(telemetry.exporters()).isEmpty();
    }

    @Test
    void shouldNotBeAffectedByChangesToTheMapItWasGiven() {
        List<GpuSample> gpus = new ArrayList<>(List.of(gpu("GPU-a", 50)));
        telemetry.update(NODE_A, Map.of(LLAMA, gpus), T0);

        gpus.clear();

        assertThat(telemetry.gpusOf("llm", "llama-0", T0)).hasSize(1);
    }

    @Test
    void shouldDefaultToTenSecondsAndRejectANonPositiveMaximumAge() {
        assertThat(new GpuTelemetry().maxAge()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> new GpuTelemetry(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GpuTelemetry(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAnswerBlankPodNamesWithNothing() {
        telemetry.update(NODE_A, Map.of(LLAMA, List.of(gpu("GPU-a", 50))), T0);

        assertThat(telemetry.gpusOf("", "llama-0", T0)).isEmpty();
        assertThat(telemetry.gpusOf("llm", " ", T0)).isEmpty();
    }

    @Test
    void shouldStayConsistentUnderConcurrentUpdatesAndLookups() throws Exception {
        int exporters = 8;
        ExecutorService pool = Executors.newFixedThreadPool(exporters + 4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> tasks = new ArrayList<>();
        try {
            for (int e = 0; e < exporters; e++) {
                URI exporter = URI.create("http://10.0.0." + e + ":9400/metrics");
                PodRef pod = new PodRef("llm", "pod-" + e);
                tasks.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 2000; i++) {
                        // Pods come and go on each node, the way they do during a rollout.
                        Map<PodRef, List<GpuSample>> report = i % 3 == 0 ? Map.of()
                                : Map.of(pod, List.of(gpu("GPU-" + pod.pod(), i % 100)));
                        telemetry.update(exporter, report, T0.plusMillis(i));
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 4; r++) {
                tasks.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20000; i++) {
                        List<GpuSample> gpus = telemetry.gpusOf("llm", "pod-" + (i % exporters), T0.plusMillis(i % 2000));
                        assertThat(gpus.size()).isLessThanOrEqualTo(1);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> task : tasks) {
                task.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(telemetry.exporters()).hasSize(exporters);
    }

    private static GpuSample gpu(String uuid, double utilization) {
        return new GpuSample("0", uuid, "NVIDIA L4", "node", OptionalDouble.of(utilization), OptionalDouble.empty(),
                OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), Map.of());
    }
}
