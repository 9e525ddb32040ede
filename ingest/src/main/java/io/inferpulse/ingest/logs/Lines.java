package io.inferpulse.ingest.logs;

/** Checks and wording shared by the parsers. */
final class Lines {

    /** Long enough to recognise a value in a rejection reason, short enough to keep reasons readable. */
    private static final int EXCERPT_CHARS = 80;

    private Lines() {
    }

    static int requireLimit(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive, got " + maxLineBytes);
        }
        return maxLineBytes;
    }

    /** Rejects a line whose UTF-8 encoding is longer than {@code maxBytes}, before any parsing work. */
    static void requireWithin(String line, int maxBytes) {
        if (line == null) {
            throw new AccessLogParseException("no line (null)");
        }
        // A char takes one to three UTF-8 bytes (a surrogate pair four for two chars), so most lines
        // are decided by their length alone and only lines near the limit are counted exactly.
        if (line.length() <= maxBytes / 3) {
            return;
        }
        if (line.length() > maxBytes) {
            throw new AccessLogParseException("line too long: at least " + line.length()
                    + " bytes, above the limit of " + maxBytes + " bytes");
        }
        long bytes = utf8Length(line);
        if (bytes > maxBytes) {
            throw new AccessLogParseException("line too long: " + bytes + " bytes, above the limit of "
                    + maxBytes + " bytes");
        }
    }

    private static long utf8Length(String line) {
        long bytes = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < line.length()
                    && Character.isLowSurrogate(line.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** A value quoted for a rejection reason, cut short when long. */
    static String quote(String value) {
        return value.length() <= EXCERPT_CHARS
                ? "'" + value + "'"
                : "'" + value.substring(0, EXCERPT_CHARS) + "...' (" + value.length() + " chars)";
    }

    /**
     * The value of a non-negative decimal integer written with ASCII digits only, or -1 for anything
     * else (sign, spaces, fraction, exponent, overflow).
     */
    static long nonNegative(String text) {
        if (text.isEmpty() || text.length() > 19) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
