package io.inferpulse.ingest.engine;

import java.util.List;

/**
 * Engine settings that cannot be used. Every problem names the exact settings key, so the caller
 * can report them as start-up configuration errors unchanged.
 */
public final class EngineSettingsException extends IllegalArgumentException {

    private final List<String> problems;

    EngineSettingsException(List<String> problems) {
        super(problems.size() == 1
                ? "invalid engine settings: " + problems.get(0)
                : "invalid engine settings:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, each starting with the key it is about, e.g. {@code engines.x.kv.scale: ...}. */
    public List<String> problems() {
        return problems;
    }
}
