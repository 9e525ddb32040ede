package io.inferpulse.ingest.gpu;

import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.Labels;
import io.inferpulse.ingest.promtext.Sample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Reads NVIDIA dcgm-exporter's /metrics into one {@link GpuSample} per GPU, and attributes each GPU
 * to the pod it serves through the exporter's {@code namespace}/{@code pod} labels (set when the
 * exporter runs with its Kubernetes pod mapping, as in the GPU operator and on GKE).
 *
 * <p>Every {@code DCGM_*} series counts: the five named fields go to their {@link GpuSample}
 * components, every other one (clocks, energy, PCIe, XID, NVLink, profiling fields, ...) into
 * {@link GpuSample#other()} by metric name, so a custom counters file needs no code here. Never
 * throws on a parsed exposition: series it cannot attribute to a GPU are skipped.
 */
public final class DcgmMapping {

    static final String GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL";
    static final String FB_USED = "DCGM_FI_DEV_FB_USED";
    static final String FB_FREE = "DCGM_FI_DEV_FB_FREE";
    static final String POWER_USAGE = "DCGM_FI_DEV_POWER_USAGE";
    static final String GPU_TEMP = "DCGM_FI_DEV_GPU_TEMP";

    private static final String METRIC_PREFIX = "DCGM_";

    private DcgmMapping() {
    }

    /** A GPU and the pod it serves, when the exporter names one. */
    public record AttributedGpu(Optional<PodRef> pod, GpuSample gpu) {
        public AttributedGpu {
            Objects.requireNonNull(pod, "pod");
            Objects.requireNonNull(gpu, "gpu");
        }
    }

    /**
     * The GPUs serving pods, by pod, each pod's GPUs in exposition order. GPUs the exporter does not
     * attribute to a pod (idle, or used outside Kubernetes) are left out.
     */
    public static Map<PodRef, List<GpuSample>> byPod(Exposition exposition) {
        Map<PodRef, List<GpuSample>> byPod = new LinkedHashMap<>();
        for (AttributedGpu gpu : gpus(exposition)) {
            gpu.pod().ifPresent(pod -> byPod.computeIfAbsent(pod, p -> new ArrayList<>()).add(gpu.gpu()));
        }
        byPod.replaceAll((pod, gpus) -> List.copyOf(gpus));
        return Collections.unmodifiableMap(byPod);
    }

    /**
     * Every GPU in the exposition, attributed or not, in exposition order: what a dry run shows.
     * A GPU shared by several pods (time-slicing) appears once per pod.
     */
    public static List<AttributedGpu> gpus(Exposition exposition) {
        Map<Key, Builder> builders = new LinkedHashMap<>();
        for (Sample sample : exposition.samples()) {
            String name = sample.name();
            // NaN is how an exporter says "no reading"; an infinity is no reading either, and would
            // poison every average downstream.
            if (!name.startsWith(METRIC_PREFIX) || !Double.isFinite(sample.value())) {
                continue;
            }
            Labels labels = sample.labels();
            String uuid = nonBlank(labels.get("UUID"));
            String index = nonBlank(labels.get("gpu"));
            if (uuid == null && index == null) {
                // A series that names no GPU (an exporter-level metric) cannot be attached to one.
                continue;
            }
            Optional<PodRef> pod = pod(labels);
            Key key = new Key(pod, uuid != null ? uuid : "gpu:" + index);
            builders.computeIfAbsent(key, k -> new Builder(index, uuid, labels)).add(name, sample.value());
        }
        List<AttributedGpu> gpus = new ArrayList<>(builders.size());
        builders.forEach((key, builder) -> gpus.add(new AttributedGpu(key.pod(), builder.build())));
        return Collections.unmodifiableList(gpus);
    }

    /**
     * The pod of a series. An unassigned GPU has empty pod labels rather than none, and both labels
     * are needed: a pod name alone is ambiguous across namespaces.
     */
    private static Optional<PodRef> pod(Labels labels) {
        String namespace = nonBlank(labels.get("namespace"));
        String pod = nonBlank(labels.get("pod"));
        return namespace == null || pod == null ? Optional.empty() : Optional.of(new PodRef(namespace, pod));
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private record Key(Optional<PodRef> pod, String gpu) {
    }

    /** Collects one GPU's fields across the metric families, which the exporter lists metric by metric. */
    private static final class Builder {
        private final String index;
        private final String uuid;
        private final String modelName;
        private final String hostname;
        private final Map<String, Double> fields = new LinkedHashMap<>();

        Builder(String index, String uuid, Labels labels) {
            this.index = index == null ? "" : index;
            this.uuid = uuid == null ? "" : uuid;
            this.modelName = orEmpty(labels.get("modelName"));
            this.hostname = orEmpty(labels.get("Hostname"));
        }

        /**
         * Keeps the first series of a metric. dcgm-exporter writes one series per GPU and field;
         * more appear only for GPU instances of a MIG-partitioned GPU given to one pod, whose
         * fields are not additive (utilization, temperature), so none is a better pick than another.
         */
        void add(String metric, double value) {
            // A negative zero becomes zero, lest a dashboard show "-0".
            fields.putIfAbsent(metric, value + 0.0);
        }

        GpuSample build() {
            Map<String, Double> other = new LinkedHashMap<>(fields);
            OptionalDouble utilization = take(other, GPU_UTIL);
            OptionalDouble used = take(other, FB_USED);
            OptionalDouble free = take(other, FB_FREE);
            OptionalDouble power = take(other, POWER_USAGE);
            OptionalDouble temperature = take(other, GPU_TEMP);
            return new GpuSample(index, uuid, modelName, hostname, utilization, used, free, power, temperature, other);
        }

        private static OptionalDouble take(Map<String, Double> fields, String metric) {
            Double value = fields.remove(metric);
            return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
        }

        private static String orEmpty(String value) {
            return value == null ? "" : value;
        }
    }
}
