package io.inferpulse.routerfeed.pick;

import static io.inferpulse.runtime.config.ConfigParsers.doubleBetween;
import static io.inferpulse.runtime.config.ConfigParsers.enumOf;
import static io.inferpulse.runtime.config.ConfigParsers.intAtLeast;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.inferpulse.routerfeed.policy.BackendPolicies;
import io.inferpulse.routerfeed.policy.BackendPolicyFile;
import io.inferpulse.routerfeed.policy.BackendPolicyResources;
import io.inferpulse.routerfeed.policy.PolicySource;
import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.ConfigParser;
import io.inferpulse.runtime.config.ConfigParsers;
import io.inferpulse.runtime.config.Configuration;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How the picker chooses.
 *
 * @param strategy how one endpoint is chosen among those that may take the request
 * @param fallbacks how many further endpoints, best first, follow the chosen one for the gateway to retry on
 * @param queueThreshold an endpoint with this many requests waiting or more has no capacity (the EPP's saturation
 *     detector uses 5)
 * @param kvCacheThreshold an endpoint with this much KV cache in use or more has no capacity (the EPP uses 0.8)
 * @param loraAffinity added to the score of an endpoint that has the requested LoRA adapter loaded
 * @param pendingPenalty taken off an endpoint's score for every request picked for it since its pool's scores last
 *     changed: those requests are on their way but not yet in the metrics the scores came from, and without this a
 *     max-score picker sends every request between two score updates to the same endpoint
 * @param policyFile GCPBackendPolicy manifests whose scopes apply to the pool's endpoints
 * @param policyFromCluster read the GCPBackendPolicy resources of the cluster instead (and follow their changes)
 * @param policyNamespace with {@code policyFromCluster}, the namespace to read them from; empty: every namespace
 */
public record PickerSettings(Strategy strategy, int fallbacks, double queueThreshold, double kvCacheThreshold,
                             double loraAffinity, double pendingPenalty, Optional<Path> policyFile,
                             boolean policyFromCluster, Optional<String> policyNamespace) {

    private static final ConfigParser<Optional<String>> OPTIONAL_TEXT = text -> text.isBlank()
            ? Optional.empty() : Optional.of(text.strip());

    public static final ConfigParameter<Strategy> STRATEGY = ConfigParameter.of("picker.strategy", enumOf(Strategy.class),
            "max-score", "max-score, weighted-random or power-of-two");
    public static final ConfigParameter<Integer> FALLBACKS = ConfigParameter.of("picker.fallbacks", intAtLeast(0), "2",
            "Endpoints offered after the chosen one, for the gateway to retry on");
    public static final ConfigParameter<Double> QUEUE_THRESHOLD = ConfigParameter.of("picker.saturation.queue",
            doubleBetween(0, Double.MAX_VALUE), "5", "Requests waiting at which an endpoint has no capacity");
    public static final ConfigParameter<Double> KV_THRESHOLD = ConfigParameter.of("picker.saturation.kv-cache",
            doubleBetween(0, 1), "0.8", "KV-cache use at which an endpoint has no capacity");
    public static final ConfigParameter<Double> LORA_AFFINITY = ConfigParameter.of("picker.lora-affinity",
            doubleBetween(0, Double.MAX_VALUE), "1", "Score bonus of an endpoint with the requested LoRA adapter loaded");
    public static final ConfigParameter<Double> PENDING_PENALTY = ConfigParameter.of("picker.pending-penalty",
            doubleBetween(0, Double.MAX_VALUE), "0.1", "Score taken off an endpoint per request picked for it since its "
                    + "pool's scores last changed; 0 picks on the published scores alone, as the EPP does");
    public static final ConfigParameter<Optional<String>> POLICY_FILE = ConfigParameter.of("picker.policy.file", OPTIONAL_TEXT,
            "", "GCPBackendPolicy YAML whose scopes apply to the pool's endpoints; empty: none");
    public static final ConfigParameter<Boolean> POLICY_KUBERNETES = ConfigParameter.of("picker.policy.kubernetes",
            ConfigParsers.BOOLEAN, "false", "Read the cluster's GCPBackendPolicy resources (networking.gke.io/v1) and"
                    + " follow their changes, instead of picker.policy.file");
    public static final ConfigParameter<Optional<String>> POLICY_NAMESPACE = ConfigParameter.of("picker.policy.namespace",
            OPTIONAL_TEXT, "", "With picker.policy.kubernetes, the namespace to read policies from; empty: every namespace");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(STRATEGY, FALLBACKS, QUEUE_THRESHOLD, KV_THRESHOLD,
            LORA_AFFINITY, PENDING_PENALTY, POLICY_FILE, POLICY_KUBERNETES, POLICY_NAMESPACE);

    public PickerSettings {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(policyFile, "policyFile");
        Objects.requireNonNull(policyNamespace, "policyNamespace");
        if (!(pendingPenalty >= 0)) {
            throw new IllegalArgumentException("pendingPenalty must not be negative, was " + pendingPenalty);
        }
        if (fallbacks < 0) {
            throw new IllegalArgumentException("fallbacks must not be negative, was " + fallbacks);
        }
        if (policyFromCluster && policyFile.isPresent()) {
            throw new IllegalArgumentException(POLICY_KUBERNETES.key() + " and " + POLICY_FILE.key() + " (" + policyFile.get()
                    + ") are both set; the policies come from one of them");
        }
        if (!policyFromCluster && policyNamespace.isPresent()) {
            throw new IllegalArgumentException(POLICY_NAMESPACE.key() + " (" + policyNamespace.get() + ") is set but "
                    + POLICY_KUBERNETES.key() + " is not; the namespace only says where cluster policies are read");
        }
    }

    public static PickerSettings defaults() {
        return new PickerSettings(Strategy.MAX_SCORE, 2, 5, 0.8, 1, 0.1, Optional.empty(), false, Optional.empty());
    }

    /** @throws ConfigException when the settings contradict each other, naming the keys */
    public static PickerSettings from(Configuration config) {
        try {
            return new PickerSettings(config.get(STRATEGY), config.get(FALLBACKS), config.get(QUEUE_THRESHOLD),
                    config.get(KV_THRESHOLD), config.get(LORA_AFFINITY), config.get(PENDING_PENALTY),
                    config.get(POLICY_FILE).map(Path::of), config.get(POLICY_KUBERNETES), config.get(POLICY_NAMESPACE));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * The backend policies these settings name: none, the file's (read and checked now), or the
     * cluster's (listed now, then followed); close it when the picker stops.
     *
     * @param client asked only when the policies come from the cluster; the client it gives is the
     *     source's, closed with it
     * @throws ConfigException for a policy file with problems, each with its line
     * @throws IllegalStateException when the cluster's policies cannot be listed
     */
    public PolicySource openPolicies(Supplier<KubernetesClient> client, MeterRegistry meters) {
        if (!policyFromCluster) {
            return PolicySource.fixed(filePolicies());
        }
        KubernetesClient kubernetes = client.get();
        BackendPolicyResources resources;
        try {
            resources = BackendPolicyResources.start(kubernetes, policyNamespace, meters);
        } catch (RuntimeException e) {
            kubernetes.close();
            throw e;
        }
        return new PolicySource() {
            @Override
            public BackendPolicies get() {
                return resources.get();
            }

            @Override
            public void close() {
                resources.close();
                kubernetes.close();
            }
        };
    }

    /** The policies of {@link #policyFile()}, read and checked now; none without a file. */
    BackendPolicies filePolicies() {
        return policyFile.map(BackendPolicyFile::load).orElse(BackendPolicies.NONE);
    }

    public PickerSettings withStrategy(Strategy other) {
        return new PickerSettings(other, fallbacks, queueThreshold, kvCacheThreshold, loraAffinity, pendingPenalty,
                policyFile, policyFromCluster, policyNamespace);
    }

    public PickerSettings withPendingPenalty(double penalty) {
        return new PickerSettings(strategy, fallbacks, queueThreshold, kvCacheThreshold, loraAffinity, penalty,
                policyFile, policyFromCluster, policyNamespace);
    }
}
