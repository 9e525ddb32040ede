package io.inferpulse.autoscaler.hpa;

import java.util.Objects;
import java.util.Optional;

/**
 * Everything that decides one pool's HPA.
 *
 * @param namespace the pool's namespace, which is also the HPA's
 * @param pool      the pool's name; the HPA has the same name, as in the seed
 * @param cluster   the cluster the pool runs in; required by the Stackdriver form, optional otherwise
 */
public record PoolHpa(String namespace, String pool, ScaleTarget scaleTarget, int minReplicas, int maxReplicas,
                      HpaMetric metric, MetricTarget target, NameForm nameForm, Optional<String> cluster) {

    /** @throws IllegalArgumentException naming the setting that is out of range */
    public PoolHpa {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(scaleTarget, "scaleTarget");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(nameForm, "nameForm");
        Objects.requireNonNull(cluster, "cluster");
        // 0 needs the HPAScaleToZero feature gate, which is alpha and off in managed clusters
        if (minReplicas < 1) {
            throw new IllegalArgumentException("min replicas must be at least 1, not " + minReplicas);
        }
        if (maxReplicas < minReplicas) {
            throw new IllegalArgumentException("max replicas (" + maxReplicas + ") must not be below min replicas ("
                    + minReplicas + ")");
        }
        if (nameForm == NameForm.STACKDRIVER && cluster.isEmpty()) {
            throw new IllegalArgumentException("the stackdriver name form needs a cluster name");
        }
    }
}
