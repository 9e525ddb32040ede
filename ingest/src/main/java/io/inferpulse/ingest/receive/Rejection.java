package io.inferpulse.ingest.receive;

/**
 * Why a line went to the dead-letter topic, in two forms: the {@code stage} written into the dead
 * letter (and the label of {@code inferpulse_dead_letters}), and the low-cardinality
 * {@code reason} label of {@code inferpulse_accesslog_rejected}. The readable detail, which varies
 * line by line, goes only into the dead letter.
 */
public enum Rejection {
    /** Not valid UTF-8. */
    INVALID_UTF8("accesslog.decode", "invalid_utf8"),
    /** A request body that could not be decompressed or split into lines; the whole body is the dead letter. */
    INVALID_BODY("accesslog.decode", "invalid_body"),
    /** Longer than the line limit. */
    TOO_LARGE("accesslog.size", "too_large"),
    /** The parser's {@link io.inferpulse.ingest.logs.AccessLogParseException}: not an entry of the format. */
    PARSE("accesslog.parse", "parse"),
    /** The parser failed in a way its contract does not allow: a bug, kept away from the receivers. */
    PARSER_ERROR("accesslog.parse", "parser_error"),
    /** A request time Kafka would refuse: before 1970, or further ahead of this clock than the broker accepts. */
    TIME_OUT_OF_RANGE("accesslog.parse", "time_out_of_range"),
    /** The record could not be serialized: the registry rejected its schema (an outage is retried instead). */
    SERIALIZE("accesslog.serialize", "serialize"),
    /** Kafka refused this one record for good (for example too large once encoded). */
    KAFKA_REFUSED("accesslog.publish", "kafka_refused");

    private final String stage;
    private final String label;

    Rejection(String stage, String label) {
        this.stage = stage;
        this.label = label;
    }

    public String stage() {
        return stage;
    }

    public String label() {
        return label;
    }
}
