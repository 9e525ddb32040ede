package io.inferpulse.ingest.engine;

import io.inferpulse.ingest.promtext.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where LoRA adapter state comes from: an info gauge in the style of {@code vllm:lora_requests_info},
 * one series per (capacity, running adapters, waiting adapters) combination, whose value is the time
 * the combination was last current. The series with the largest value is the present state.
 *
 * @param metric              the info gauge
 * @param maxLoraLabel        the label holding how many adapters fit at once
 * @param runningAdaptersLabel the label holding the comma-separated adapters of running requests
 * @param waitingAdaptersLabel the label holding the comma-separated adapters of waiting requests
 */
public record LoraSpec(String metric, String maxLoraLabel, String runningAdaptersLabel, String waitingAdaptersLabel) {

    /** vLLM's metric and label names, the only engine that reports adapters this way today. */
    public static final LoraSpec VLLM = new LoraSpec("vllm:lora_requests_info", "max_lora", "running_lora_adapters",
            "waiting_lora_adapters");

    public LoraSpec {
        Names.requireMetric(metric, "LoRA metric");
        Names.requireLabel(maxLoraLabel, "LoRA max label");
        Names.requireLabel(runningAdaptersLabel, "LoRA running label");
        Names.requireLabel(waitingAdaptersLabel, "LoRA waiting label");
    }

    /** vLLM's label names on another metric. */
    public static LoraSpec withVllmLabels(String metric) {
        return new LoraSpec(metric, VLLM.maxLoraLabel, VLLM.runningAdaptersLabel, VLLM.waitingAdaptersLabel);
    }

    /**
     * The adapter state in the newest series. Unlike the EPP, a newest series with both adapter
     * lists empty is kept: the EPP skips it to remember which adapters may still be loaded for
     * routing, but for telemetry "nothing running" is the truth.
     */
    Optional<Lora> read(Sample newest) {
        if (newest == null) {
            return Optional.empty();
        }
        // Without its capacity the adapter state cannot be interpreted, so none is reported.
        String maxLabel = newest.labels().get(maxLoraLabel);
        if (maxLabel == null) {
            return Optional.empty();
        }
        int maxLora;
        try {
            maxLora = Integer.parseInt(maxLabel.strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (maxLora < 0) {
            return Optional.empty();
        }
        return Optional.of(new Lora(maxLora,
                adapters(newest.labels().get(runningAdaptersLabel)),
                adapters(newest.labels().get(waitingAdaptersLabel))));
    }

    /** Whether {@code candidate} is newer than {@code newest}; NaN series never are. */
    static boolean isNewer(Sample candidate, Sample newest) {
        return !Double.isNaN(candidate.value()) && (newest == null || candidate.value() > newest.value());
    }

    private static List<String> adapters(String commaSeparated) {
        List<String> names = new ArrayList<>();
        if (commaSeparated != null) {
            for (String name : commaSeparated.split(",")) {
                if (!name.isBlank()) {
                    names.add(name.strip());
                }
            }
        }
        return names;
    }
}
