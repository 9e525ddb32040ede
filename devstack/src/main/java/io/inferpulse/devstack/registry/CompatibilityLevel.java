package io.inferpulse.devstack.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * Confluent's compatibility levels, checked with Avro's own reader/writer resolution rules.
 * BACKWARD: consumers on the new schema can read what producers wrote with the old one, so
 * consumers upgrade first. FORWARD: the reverse. FULL: both. TRANSITIVE: against every earlier
 * version rather than the latest only.
 */
enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    static final CompatibilityLevel DEFAULT = BACKWARD;

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    static Optional<CompatibilityLevel> parse(String text) {
        for (CompatibilityLevel level : values()) {
            if (level.name().equals(text.strip().toUpperCase(Locale.ROOT))) {
                return Optional.of(level);
            }
        }
        return Optional.empty();
    }

    /**
     * Why the candidate may not follow the earlier versions (oldest first) at this level; empty
     * when it may. A non-transitive level looks at the last of them only.
     */
    List<String> incompatibilities(Schema candidate, List<SubjectVersion> earlier) {
        List<SubjectVersion> against = transitive || earlier.isEmpty() ? earlier : List.of(earlier.getLast());
        List<String> problems = new ArrayList<>();
        for (SubjectVersion old : against) {
            if (backward) {
                problems.addAll(problems(candidate, old.schema(),
                        "the new schema cannot read data written with version " + old.version()));
            }
            if (forward) {
                problems.addAll(problems(old.schema(), candidate,
                        "version " + old.version() + " cannot read data written with the new schema"));
            }
        }
        return problems;
    }

    private static List<String> problems(Schema reader, Schema writer, String consequence) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult().getIncompatibilities()
                .stream()
                .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + "): " + consequence)
                .toList();
    }
}
