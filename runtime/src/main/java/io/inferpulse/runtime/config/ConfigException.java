package io.inferpulse.runtime.config;

import java.util.List;

/**
 * Configuration that cannot be used, found at start-up. The message lists every problem, each with
 * where the value came from (flag, environment variable, or file and line) and the key.
 */
public class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(problems.size() == 1
                ? "Invalid configuration: " + problems.get(0)
                : "Invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
