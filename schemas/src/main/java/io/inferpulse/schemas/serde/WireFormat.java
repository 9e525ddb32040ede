package io.inferpulse.schemas.serde;

/** The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then Avro binary. */
final class WireFormat {
    static final byte MAGIC_BYTE = 0;
    static final int HEADER_SIZE = 5;

    private WireFormat() {}

    static String subject(String topic, boolean isKey) {
        // TopicNameStrategy, Confluent's default: one subject per topic and side.
        return topic + (isKey ? "-key" : "-value");
    }
}
