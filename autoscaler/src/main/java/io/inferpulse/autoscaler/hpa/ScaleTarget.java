package io.inferpulse.autoscaler.hpa;

import java.util.Locale;
import java.util.Objects;

/**
 * The workload whose replicas the HPA sets: the Deployment (or LeaderWorkerSet, for multi-host
 * servers) whose pods the InferencePool selects. A pool only selects pods, so it cannot name its
 * workload itself; the user says which one.
 */
public record ScaleTarget(String apiVersion, String kind, String name) {

    public ScaleTarget {
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(kind, "kind");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the scale target needs a name");
        }
    }

    /** The seed's choice: a Deployment named like the pool. */
    public static ScaleTarget deploymentNamed(String name) {
        return new ScaleTarget("apps/v1", "Deployment", name);
    }

    /**
     * Reads {@code kind/name} as kubectl writes it: {@code deployment/vllm-llama3},
     * {@code statefulset/NAME}, {@code leaderworkerset/NAME} (or {@code lws/NAME}).
     *
     * @throws IllegalArgumentException naming the accepted kinds when the text is not one of them
     */
    public static ScaleTarget parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("scale target \"" + text + "\" is not KIND/NAME, e.g. deployment/vllm-llama3");
        }
        String name = text.substring(slash + 1);
        return switch (text.substring(0, slash).toLowerCase(Locale.ROOT)) {
            case "deployment", "deployments", "deploy" -> deploymentNamed(name);
            case "statefulset", "statefulsets", "sts" -> new ScaleTarget("apps/v1", "StatefulSet", name);
            case "leaderworkerset", "leaderworkersets", "lws" ->
                    new ScaleTarget("leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet", name);
            default -> throw new IllegalArgumentException("scale target \"" + text
                    + "\" has an unknown kind; use deployment, statefulset or leaderworkerset");
        };
    }
}
