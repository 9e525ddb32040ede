package io.inferpulse.ingest.promtext;

import java.util.List;
import java.util.Objects;

/**
 * A metric family: the samples that follow a {@code # HELP}/{@code # TYPE} pair, or a run of samples
 * of one name that had no metadata (then typed {@link MetricType#UNTYPED} with an empty help).
 *
 * @param help the unescaped help text; empty when the family had no {@code # HELP} line
 */
public record MetricFamily(String name, MetricType type, String help, List<Sample> samples) {

    public MetricFamily {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(help, "help");
        samples = List.copyOf(samples);
    }
}
