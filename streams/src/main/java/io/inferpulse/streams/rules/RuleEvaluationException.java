package io.inferpulse.streams.rules;

/**
 * An expression that loaded fine failed on this instant's data, as PromQL queries can (for example two series on
 * one side of a one-to-one match). The rule yields nothing at this instant; the message says why.
 */
public final class RuleEvaluationException extends RuntimeException {

    public RuleEvaluationException(String message) {
        super(message);
    }
}
