package io.inferpulse.routerfeed.pick;

import static io.inferpulse.runtime.config.ConfigParsers.doubleBetween;
import static io.inferpulse.runtime.config.ConfigParsers.enumOf;
import static io.inferpulse.runtime.config.ConfigParsers.intAtLeast;

import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.ConfigParsers;
import io.inferpulse.runtime.config.Configuration;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How the picker chooses.
 *
 * @param strategy how one endpoint is chosen among those that may take the request
 * @param fallbacks how many further endpoints, best first, follow the chosen one for the gateway to retry on
 * @param queueThreshold an endpoint with this many requests waiting or more has no capacity (the EPP's saturation
 *     detector uses 5)
 * @param kvCacheThreshold an endpoint with this much KV cache in use or more has no capacity (the EPP uses 0.8)
 * @param loraAffinity added to the score of an endpoint that has the requested LoRA adapter loaded
 * @param policyFile GCPBackendPolicy manifests whose scopes apply to the pool's endpoints
 */
public record PickerSettings(Strategy strategy, int fallbacks, double queueThreshold, double kvCacheThreshold,
                             double loraAffinity, Optional<Path> policyFile) {

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
    public static final ConfigParameter<String> POLICY_FILE = ConfigParameter.of("picker.policy.file", ConfigParsers.STRING,
            "", "GCPBackendPolicy YAML whose scopes apply to the pool's endpoints; empty: none");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(STRATEGY, FALLBACKS, QUEUE_THRESHOLD, KV_THRESHOLD,
            LORA_AFFINITY, POLICY_FILE);

    public PickerSettings {
        if (fallbacks < 0) {
            throw new IllegalArgumentException("fallbacks must not be negative, was " + fallbacks);
        }
    }

    public static PickerSettings defaults() {
        return new PickerSettings(Strategy.MAX_SCORE, 2, 5, 0.8, 1, Optional.empty());
    }

    public static PickerSettings from(Configuration config) {
        String policy = config.get(POLICY_FILE);
        return new PickerSettings(config.get(STRATEGY), config.get(FALLBACKS), config.get(QUEUE_THRESHOLD),
                config.get(KV_THRESHOLD), config.get(LORA_AFFINITY),
                policy.isBlank() ? Optional.empty() : Optional.of(Path.of(policy)));
    }

    public PickerSettings withStrategy(Strategy other) {
        return new PickerSettings(other, fallbacks, queueThreshold, kvCacheThreshold, loraAffinity, policyFile);
    }
}
