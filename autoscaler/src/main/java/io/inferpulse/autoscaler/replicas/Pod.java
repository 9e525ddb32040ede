package io.inferpulse.autoscaler.replicas;

import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/** One pod of the scale target, as the HPA controller's pod lister shows it. */
public record Pod(String name, PodState state) {
    public Pod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
    }

    /**
     * {@code count} pods of which the first {@code ready} are ready and the rest running but not ready,
     * named {@code pod-0}, {@code pod-1}, ...: enough for targets that only need the ready count.
     */
    public static List<Pod> numbered(int count, int ready) {
        if (count < 0 || ready < 0) {
            throw new IllegalArgumentException("pod counts must not be negative: " + count + ", " + ready);
        }
        return IntStream.range(0, count)
                .mapToObj(i -> new Pod("pod-" + i, i < ready ? PodState.READY : PodState.NOT_READY))
                .toList();
    }
}
