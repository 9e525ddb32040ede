package io.inferpulse.ingest.promtext;

/**
 * A body that is not valid Prometheus text exposition format. Like a Prometheus scrape, one bad
 * line rejects the whole body, so callers never see a partial exposition.
 */
public final class PromTextParseException extends RuntimeException {

    private static final int EXCERPT_LENGTH = 120;

    private final int line;
    private final int column;
    private final String reason;
    private final String excerpt;

    private PromTextParseException(int line, int column, String reason, String excerpt) {
        super(line > 0
                ? "line " + line + ", column " + column + ": " + reason + " in: " + excerpt
                : reason);
        this.line = line;
        this.column = column;
        this.reason = reason;
        this.excerpt = excerpt;
    }

    /** A problem at 1-based {@code column} of {@code lineText}, which is line {@code line}. */
    static PromTextParseException at(int line, int column, String reason, String lineText) {
        return new PromTextParseException(line, column, reason, excerpt(lineText, column - 1));
    }

    /** Problems with the body as a whole (its size) have no position. */
    static PromTextParseException wholeBody(String reason) {
        return new PromTextParseException(0, 0, reason, "");
    }

    // Long lines (a 400-character histogram bucket) are cut to a window around the problem, and
    // control characters escaped, so that the message stays one readable log line.
    private static String excerpt(String line, int index) {
        int from = 0;
        int to = line.length();
        if (to > EXCERPT_LENGTH) {
            from = Math.max(0, Math.min(index - EXCERPT_LENGTH / 2, line.length() - EXCERPT_LENGTH));
            to = from + EXCERPT_LENGTH;
        }
        StringBuilder out = new StringBuilder(to - from + 8);
        if (from > 0) {
            out.append("...");
        }
        appendPrintable(out, line, from, to);
        if (to < line.length()) {
            out.append("...");
        }
        return out.toString();
    }

    /** Text for a message, control characters escaped so that a message stays one line. */
    static String printable(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        appendPrintable(out, text, 0, text.length());
        return out.toString();
    }

    /** A character for a message: {@code 'x'}, or {@code U+0001} when it would not print. */
    static String describe(char c) {
        return isPrintable(c) ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static void appendPrintable(StringBuilder out, CharSequence text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\t') {
                out.append("\\t");
            } else if (isPrintable(c)) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
    }

    private static boolean isPrintable(char c) {
        return c >= 0x20 && c != 0x7f && !Character.isSurrogate(c);
    }

    /** 1-based line number, or 0 when the problem is not tied to a line. */
    public int line() {
        return line;
    }

    /**
     * 1-based column of the offending character, or 0 when the problem is not tied to a line.
     * Counted in UTF-16 chars, except for encoding errors, where it is counted in bytes because
     * the line could not be decoded.
     */
    public int column() {
        return column;
    }

    /** The problem, without the position and excerpt. */
    public String reason() {
        return reason;
    }

    /** The offending line, shortened around the column if long, control characters escaped. */
    public String excerpt() {
        return excerpt;
    }
}
