package io.inferpulse.streams.rules;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One series value: labels sorted, including {@code __name__} for input series; immutable.
 *
 * @param labels the series' labels; copied
 * @param value the value at the evaluation instant
 */
public record Sample(SortedMap<String, String> labels, double value) {

    static final String METRIC_NAME = "__name__";

    public Sample {
        Objects.requireNonNull(labels, "labels");
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    /** An input series: {@code name} plus {@code labels}. */
    public static Sample of(String name, Map<String, String> labels, double value) {
        TreeMap<String, String> all = new TreeMap<>(labels);
        all.put(METRIC_NAME, name);
        return new Sample(all, value);
    }

    /** The labels without {@code __name__}, as alerts and templates see them. */
    public SortedMap<String, String> labelsWithoutName() {
        if (!labels.containsKey(METRIC_NAME)) {
            return labels;
        }
        TreeMap<String, String> copy = new TreeMap<>(labels);
        copy.remove(METRIC_NAME);
        return Collections.unmodifiableSortedMap(copy);
    }
}
