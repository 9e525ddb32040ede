package io.inferpulse.notifier;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** One Alertmanager matcher such as {@code severity="critical"} or {@code alertname=~"High.*"}. */
record LabelMatcher(String name, Op op, String value, Pattern pattern) {
    private static final Pattern SYNTAX = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*");

    enum Op {
        EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    static LabelMatcher parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a matcher (e.g. severity=\"critical\" or alertname=~\"High.*\")");
        }
        Op op = switch (m.group(2)) {
            case "=" -> Op.EQUAL;
            case "!=" -> Op.NOT_EQUAL;
            case "=~" -> Op.REGEX;
            default -> Op.NOT_REGEX;
        };
        String value = m.group(3);
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        Pattern pattern = null;
        if (op == Op.REGEX || op == Op.NOT_REGEX) {
            try {
                // Alertmanager anchors matcher regexes at both ends.
                pattern = Pattern.compile("^(?:" + value + ")$");
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + text + "' has an invalid regular expression: " + e.getDescription());
            }
        }
        return new LabelMatcher(m.group(1), op, value, pattern);
    }

    /** A missing label matches as the empty string, as in Alertmanager. */
    boolean matches(Map<String, String> labels) {
        String v = labels.getOrDefault(name, "");
        return switch (op) {
            case EQUAL -> v.equals(value);
            case NOT_EQUAL -> !v.equals(value);
            case REGEX -> pattern.matcher(v).matches();
            case NOT_REGEX -> !pattern.matcher(v).matches();
        };
    }

    @Override
    public String toString() {
        return name + op.symbol + "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
