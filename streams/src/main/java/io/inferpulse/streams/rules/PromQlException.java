package io.inferpulse.streams.rules;

/** An expression outside the supported PromQL subset; the message names the construct. RuleFiles adds file:line. */
final class PromQlException extends RuntimeException {

    PromQlException(String message) {
        super(message);
    }
}
