package io.inferpulse.ingest.promtext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A parsed body: its metric families in input order, and the same samples as one flat list in
 * input order.
 */
public record Exposition(List<MetricFamily> families, List<Sample> samples) {

    public Exposition {
        families = List.copyOf(families);
        samples = List.copyOf(samples);
    }

    /** The first family with this exact name. */
    public Optional<MetricFamily> family(String name) {
        for (MetricFamily family : families) {
            if (family.name().equals(name)) {
                return Optional.of(family);
            }
        }
        return Optional.empty();
    }

    /** The samples with this exact series name (e.g. {@code foo_bucket}), in input order. */
    public List<Sample> samples(String sampleName) {
        List<Sample> matching = new ArrayList<>();
        for (Sample sample : samples) {
            if (sample.name().equals(sampleName)) {
                matching.add(sample);
            }
        }
        return Collections.unmodifiableList(matching);
    }
}
