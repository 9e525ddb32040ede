package io.inferpulse.ingest.gpu;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One GPU's dcgm-exporter sample, attached to the pod it serves. Units are the exporter's.
 *
 * @param gpu GPU index on the node (dcgm label {@code gpu})
 * @param utilizationPercent {@code DCGM_FI_DEV_GPU_UTIL}, 0..100
 * @param framebufferUsedMib {@code DCGM_FI_DEV_FB_USED}
 * @param framebufferFreeMib {@code DCGM_FI_DEV_FB_FREE}
 * @param powerWatts {@code DCGM_FI_DEV_POWER_USAGE}
 * @param temperatureCelsius {@code DCGM_FI_DEV_GPU_TEMP}
 * @param other every other DCGM field by metric name
 */
public record GpuSample(String gpu, String uuid, String modelName, String hostname,
                        OptionalDouble utilizationPercent, OptionalDouble framebufferUsedMib,
                        OptionalDouble framebufferFreeMib, OptionalDouble powerWatts, OptionalDouble temperatureCelsius,
                        Map<String, Double> other) {
    public GpuSample {
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(utilizationPercent, "utilizationPercent");
        Objects.requireNonNull(framebufferUsedMib, "framebufferUsedMib");
        Objects.requireNonNull(framebufferFreeMib, "framebufferFreeMib");
        Objects.requireNonNull(powerWatts, "powerWatts");
        Objects.requireNonNull(temperatureCelsius, "temperatureCelsius");
        other = Map.copyOf(other);
    }
}
