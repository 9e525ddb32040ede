package io.inferpulse.streams.rules;

import java.util.List;

/**
 * A rule file that cannot be used. Each error names file:line, the rule and the offending construct; the message is
 * all of them, one per line.
 */
public final class RuleFileException extends RuntimeException {

    private final List<String> errors;

    public RuleFileException(List<String> errors) {
        super(String.join("\n", errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a RuleFileException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** The individual errors, in file order. */
    public List<String> errors() {
        return errors;
    }
}
