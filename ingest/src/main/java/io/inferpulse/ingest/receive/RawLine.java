package io.inferpulse.ingest.receive;

import java.util.Map;
import java.util.Objects;

/**
 * One access-log line as a receiver got it, before decoding: the bytes without the line break.
 * A receiver that will not hold an over-long line keeps only its start in {@code bytes} and
 * reports the full length in {@code size}, so the pipeline can reject it with its real size.
 *
 * @param bytes the line, or its first bytes when {@code size > bytes.length}
 * @param size the line's length in bytes
 * @param source where it came from, the key of its dead letter: {@code http:<client ip>}, {@code file:<path>}, {@code stdin}
 * @param attributes context for its dead letter, such as the line number or file offset
 */
public record RawLine(byte[] bytes, long size, String source, Map<String, String> attributes) {
    public RawLine {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(attributes, "attributes");
        if (size < bytes.length) {
            throw new IllegalArgumentException("size " + size + " is less than the " + bytes.length + " bytes held");
        }
    }

    public RawLine(byte[] bytes, String source, Map<String, String> attributes) {
        this(bytes, bytes.length, source, attributes);
    }

    /** True when only the start of the line is held. */
    public boolean cut() {
        return size > bytes.length;
    }
}
