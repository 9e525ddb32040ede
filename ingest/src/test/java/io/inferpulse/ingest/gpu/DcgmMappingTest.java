package io.inferpulse.ingest.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.PromTextParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * dcgm-exporter-2xL4-metrics.prom is dcgm-exporter's default counters on a GKE node with two L4
 * GPUs, Kubernetes pod mapping on: HELP/TYPE from default-counters.csv, one series per GPU and
 * field, labels in the exporter's order. GPU 0 serves llm/llama-7c9d-x2k4; GPU 1 is idle, so the
 * exporter gives it no pod labels.
 */
class DcgmMappingTest {

    static final String FIXTURE = "/gpu/dcgm-exporter-2xL4-metrics.prom";
    private static final PodRef LLAMA = new PodRef("llm", "llama-7c9d-x2k4");

    @Test
    void shouldAttachTheAssignedGpuToItsPodWithEveryField() {
        Map<PodRef, List<GpuSample>> byPod = DcgmMapping.byPod(resource(FIXTURE));

        assertThat(byPod).containsOnlyKeys(LLAMA);
        assertThat(byPod.get(LLAMA)).hasSize(1);
        GpuSample gpu = byPod.get(LLAMA).get(0);
        assertThat(gpu.gpu()).isEqualTo("0");
        assertThat(gpu.uuid()).isEqualTo("GPU-5e8a1c3d-7b2f-4e91-a6d0-2c4f8b1e9a37");
        assertThat(gpu.modelName()).isEqualTo("NVIDIA L4");
        assertThat(gpu.hostname()).isEqualTo("gke-prod-eu-l4-pool-5f2c1a7e-k9xq");
        assertThat(gpu.utilizationPercent()).hasValue(87.0);
        assertThat(gpu.framebufferUsedMib()).hasValue(20951.0);
        assertThat(gpu.framebufferFreeMib()).hasValue(1498.0);
        assertThat(gpu.powerWatts()).hasValue(62.418);
        assertThat(gpu.temperatureCelsius()).hasValue(61.0);
        assertThat(gpu.other()).containsOnly(
                entry("DCGM_FI_DEV_SM_CLOCK", 2040.0),
                entry("DCGM_FI_DEV_MEM_CLOCK", 6250.0),
                entry("DCGM_FI_DEV_MEMORY_TEMP", 0.0),
                entry("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", 1843293047.0),
                entry("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", 0.0),
                entry("DCGM_FI_DEV_MEM_COPY_UTIL", 42.0),
                entry("DCGM_FI_DEV_ENC_UTIL", 0.0),
                entry("DCGM_FI_DEV_DEC_UTIL", 0.0),
                entry("DCGM_FI_DEV_XID_ERRORS", 0.0),
                entry("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", 0.0),
                entry("DCGM_FI_DEV_VGPU_LICENSE_STATUS", 0.0),
                entry("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", 0.0),
                entry("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", 0.0),
                entry("DCGM_FI_DEV_ROW_REMAP_FAILURE", 0.0));
    }

    @Test
    void shouldListTheIdleGpuWithoutAPod() {
        List<DcgmMapping.AttributedGpu> gpus = DcgmMapping.gpus(resource(FIXTURE));

        assertThat(gpus).hasSize(2);
        assertThat(gpus.get(0).pod()).contains(LLAMA);
        DcgmMapping.AttributedGpu idle = gpus.get(1);
        assertThat(idle.pod()).isEmpty();
        assertThat(idle.gpu().gpu()).isEqualTo("1");
        assertThat(idle.gpu().uuid()).isEqualTo("GPU-0d4b7e21-9c3a-4f58-b1e6-7a2d5c8f0b94");
        assertThat(idle.gpu().utilizationPercent()).hasValue(0.0);
        assertThat(idle.gpu().framebufferFreeMib()).hasValue(22449.0);
        assertThat(idle.gpu().powerWatts()).hasValue(16.104);
        assertThat(idle.gpu().other()).hasSize(14);
    }

    @Test
    void shouldNotAttachGpusWhosePodLabelsAreEmptyOrIncomplete() {
        Map<PodRef, List<GpuSample>> byPod = DcgmMapping.byPod(PromTextParser.parse("""
                DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",container="",namespace="",pod=""} 10
                DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b",pod="orphan"} 20
                DCGM_FI_DEV_GPU_UTIL{gpu="2",UUID="GPU-c",namespace="llm"} 30
                """));

        assertThat(byPod).isEmpty();
    }

    @Test
    void shouldGiveAPodAllItsGpusInExporterOrder() {
        Map<PodRef, List<GpuSample>> byPod = DcgmMapping.byPod(PromTextParser.parse("""
                # TYPE DCGM_FI_DEV_GPU_UTIL gauge
                DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",container="vllm",namespace="llm",pod="big"} 91
                DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b",container="vllm",namespace="llm",pod="big"} 89
                DCGM_FI_DEV_GPU_UTIL{gpu="2",UUID="GPU-c",container="vllm",namespace="other",pod="big"} 5
                # TYPE DCGM_FI_DEV_FB_USED gauge
                DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-a",container="vllm",namespace="llm",pod="big"} 70000
                DCGM_FI_DEV_FB_USED{gpu="1",UUID="GPU-b",container="vllm",namespace="llm",pod="big"} 71000
                """));

        assertThat(byPod).containsOnlyKeys(new PodRef("llm", "big"), new PodRef("other", "big"));
        List<GpuSample> big = byPod.get(new PodRef("llm", "big"));
        assertThat(big).extracting(GpuSample::uuid).containsExactly("GPU-a", "GPU-b");
        assertThat(big.get(1).utilizationPercent()).hasValue(89.0);
        assertThat(big.get(1).framebufferUsedMib()).hasValue(71000.0);
        assertThat(byPod.get(new PodRef("other", "big")).get(0).framebufferUsedMib()).isEmpty();
    }

    @Test
    void shouldGiveATimeSlicedGpuToEachPodSharingIt() {
        Map<PodRef, List<GpuSample>> byPod = DcgmMapping.byPod(PromTextParser.parse("""
                DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",namespace="llm",pod="one"} 60
                DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",namespace="llm",pod="two"} 60
                """));

        assertThat(byPod.get(new PodRef("llm", "one"))).extracting(GpuSample::uuid).containsExactly("GPU-a");
        assertThat(byPod.get(new PodRef("llm", "two"))).extracting(GpuSample::uuid).containsExactly("GPU-a");
    }

    @Test
    void shouldSkipNonFiniteValuesNonDcgmMetricsAndSeriesThatNameNoGpu() {
        List<DcgmMapping.AttributedGpu> gpus = DcgmMapping.gpus(PromTextParser.parse("""
                DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",namespace="llm",pod="p"} NaN
                DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a",namespace="llm",pod="p"} +Inf
                DCGM_FI_DEV_SM_CLOCK{gpu="0",UUID="GPU-a",namespace="llm",pod="p"} 1410
                DCGM_FI_DEV_FB_USED{namespace="llm",pod="p"} 100
                process_resident_memory_bytes{gpu="0",UUID="GPU-a"} 4.2e+07
                nv_gpu_utilization{gpu_uuid="GPU-a"} 0.5
                """));

        assertThat(gpus).hasSize(1);
        GpuSample gpu = gpus.get(0).gpu();
        assertThat(gpu.utilizationPercent()).isEmpty();
        assertThat(gpu.temperatureCelsius()).isEmpty();
        assertThat(gpu.framebufferUsedMib()).isEmpty();
        assertThat(gpu.other()).containsOnly(entry("DCGM_FI_DEV_SM_CLOCK", 1410.0));
    }

    @Test
    void shouldReportNegativeZeroAsZero() {
        GpuSample gpu = DcgmMapping.gpus(PromTextParser.parse("DCGM_FI_DEV_POWER_USAGE{gpu=\"0\"} -0.000000\n")).get(0).gpu();

        assertThat(Double.doubleToRawLongBits(gpu.powerWatts().orElseThrow())).isZero();
    }

    @Test
    void shouldIdentifyAGpuByIndexWhenTheExporterOmitsItsUuid() {
        List<DcgmMapping.AttributedGpu> gpus = DcgmMapping.gpus(PromTextParser.parse("""
                DCGM_FI_DEV_GPU_UTIL{gpu="3",namespace="llm",pod="p"} 12
                DCGM_FI_DEV_POWER_USAGE{gpu="3",namespace="llm",pod="p"} 250.5
                """));

        assertThat(gpus).singleElement().satisfies(g -> {
            assertThat(g.pod()).isEqualTo(Optional.of(new PodRef("llm", "p")));
            assertThat(g.gpu().gpu()).isEqualTo("3");
            assertThat(g.gpu().uuid()).isEmpty();
            assertThat(g.gpu().modelName()).isEmpty();
            assertThat(g.gpu().utilizationPercent()).hasValue(12.0);
            assertThat(g.gpu().powerWatts()).hasValue(250.5);
        });
    }

    @Test
    void shouldKeepOtherDcgmFieldsOfCustomCounterFiles() {
        List<DcgmMapping.AttributedGpu> gpus = DcgmMapping.gpus(PromTextParser.parse("""
                DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="GPU-a"} 0.812
                DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{gpu="0",UUID="GPU-a"} 0.455
                """));

        assertThat(gpus.get(0).gpu().other()).containsOnly(
                entry("DCGM_FI_PROF_GR_ENGINE_ACTIVE", 0.812), entry("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", 0.455));
    }

    @Test
    void shouldReturnNothingForAnEmptyExposition() {
        assertThat(DcgmMapping.byPod(PromTextParser.parse(""))).isEmpty();
        assertThat(DcgmMapping.gpus(PromTextParser.parse("# EOF\n"))).isEmpty();
    }

    static Exposition resource(String path) {
        return PromTextParser.parse(bytes(path));
    }

    static byte[] bytes(String path) {
        try (InputStream in = DcgmMappingTest.class.getResourceAsStream(path)) {
            assertThat(in).as("test resource %s", path).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
