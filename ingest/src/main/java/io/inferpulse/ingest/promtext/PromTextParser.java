package io.inferpulse.ingest.promtext;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Parser for the Prometheus text exposition format (version 0.0.4), also reading the OpenMetrics
 * text that model servers commonly send: its extra types, exemplars and {@code # EOF}.
 *
 * <p>Semantics follow Prometheus's scrape parser: one malformed line fails the whole body with a
 * {@link PromTextParseException} naming the line and column, as a failed scrape would.
 * Thread-safe: each call allocates its own state.
 *
 * <p>Not supported: UTF-8 metric and label names in quotes ({@code {"my.metric", "a.b"="c"}}),
 * hexadecimal values, and OpenMetrics sample timestamps in fractional seconds (a sample timestamp
 * is read as integer milliseconds, as in the Prometheus format).
 */
public final class PromTextParser {

    /** Far above any model server's /metrics, low enough that a runaway target cannot exhaust memory. */
    public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

    private PromTextParser() {
    }

    /**
     * Parses a body as received over HTTP, up to {@link #DEFAULT_MAX_BODY_BYTES}.
     *
     * @throws PromTextParseException if the body is too large, not UTF-8, or not valid text format
     */
    public static Exposition parse(byte[] body) {
        return parse(body, DEFAULT_MAX_BODY_BYTES);
    }

    /**
     * Parses a body as received over HTTP.
     *
     * @param maxBodyBytes bodies longer than this are rejected before any decoding
     * @throws PromTextParseException if the body is too large, not UTF-8, or not valid text format
     */
    public static Exposition parse(byte[] body, int maxBodyBytes) {
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must be >= 0, got " + maxBodyBytes);
        }
        if (body.length > maxBodyBytes) {
            throw PromTextParseException.wholeBody(
                    "body of " + body.length + " bytes exceeds the limit of " + maxBodyBytes + " bytes");
        }
        // UTF-8 never decodes to more chars than it has bytes, so this array always suffices.
        char[] chars = new char[body.length];
        CharBuffer out = CharBuffer.wrap(chars);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw encodingError(body, in.position());
        }
        return new ExpositionReader(chars, out.position()).read();
    }

    /**
     * Parses text that is already decoded and in memory (a fixture, a test), so no size limit.
     *
     * @throws PromTextParseException if the text is not valid text format
     */
    public static Exposition parse(String text) {
        char[] chars = text.toCharArray();
        return new ExpositionReader(chars, chars.length).read();
    }

    private static PromTextParseException encodingError(byte[] body, int offset) {
        int lineStart = offset;
        while (lineStart > 0 && body[lineStart - 1] != '\n') {
            lineStart--;
        }
        int lineEnd = offset;
        while (lineEnd < body.length && body[lineEnd] != '\n') {
            lineEnd++;
        }
        int line = 1;
        for (int i = 0; i < lineStart; i++) {
            if (body[i] == '\n') {
                line++;
            }
        }
        String lineText = new String(body, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8);
        return PromTextParseException.at(line, offset - lineStart + 1,
                String.format("malformed UTF-8 at byte 0x%02x", body[offset] & 0xff), lineText);
    }
}
