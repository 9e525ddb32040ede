package io.inferpulse.streams.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The input series as of one evaluation instant. */
public interface SeriesSet {

    /** Every series named {@code metricName}; empty when there is none. */
    List<Sample> select(String metricName);

    /** A set holding exactly {@code samples}, indexed by their {@code __name__}. */
    static SeriesSet of(Collection<Sample> samples) {
        Map<String, List<Sample>> byName = new HashMap<>();
        for (Sample s : samples) {
            String name = s.labels().get(Sample.METRIC_NAME);
            if (name == null) {
                throw new IllegalArgumentException("input sample without " + Sample.METRIC_NAME + ": " + s);
            }
            byName.computeIfAbsent(name, n -> new ArrayList<>()).add(s);
        }
        byName.replaceAll((n, list) -> List.copyOf(list));
        return name -> byName.getOrDefault(name, List.of());
    }
}
