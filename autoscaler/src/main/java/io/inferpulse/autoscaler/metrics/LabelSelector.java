package io.inferpulse.autoscaler.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Kubernetes label selector in its string form, as HPA sends it in {@code ?labelSelector=}:
 * comma-separated requirements, each {@code key=value}, {@code key==value}, {@code key!=value},
 * {@code key in (a,b)}, {@code key notin (a,b)}, {@code key} or {@code !key}; all must hold.
 * Keys and values are validated as Kubernetes validates them, so a selector the API server would
 * reject is rejected here too, with the reason.
 */
record LabelSelector(List<Requirement> requirements) {
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    LabelSelector {
        requirements = List.copyOf(requirements);
    }

    enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    /** One requirement; {@code values} is empty for EXISTS and DOES_NOT_EXIST. */
    record Requirement(String key, Operator operator, Set<String> values) {
        Requirement {
            values = Set.copyOf(values);
        }

        boolean matches(Map<String, String> labels) {
            return matches(labels.get(key));
        }

        /** @param value the label's value, null when the object has no such label */
        boolean matches(String value) {
            return switch (operator) {
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
            };
        }

        /** The value an equality or one-value {@code in} pins the key to, if it does. */
        java.util.Optional<String> pinned() {
            return (operator == Operator.EQUALS || operator == Operator.IN) && values.size() == 1
                    ? java.util.Optional.of(values.iterator().next()) : java.util.Optional.empty();
        }

        @Override
        public String toString() {
            String set = "(" + String.join(",", new TreeSet<>(values)) + ")";
            return switch (operator) {
                case EQUALS -> key + "=" + values.iterator().next();
                case NOT_EQUALS -> key + "!=" + values.iterator().next();
                case IN -> key + " in " + set;
                case NOT_IN -> key + " notin " + set;
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
            };
        }
    }

    boolean matches(Map<String, String> labels) {
        return matches((java.util.function.Function<String, String>) labels::get);
    }

    /** The same test against labels looked up by key, for callers that need not build a map per object. */
    boolean matches(java.util.function.Function<String, String> labels) {
        for (Requirement r : requirements) {
            if (!r.matches(labels.apply(r.key()))) {
                return false;
            }
        }
        return true;
    }

    /** True when some requirement names the key, whatever its operator. */
    boolean mentions(String key) {
        return requirements.stream().anyMatch(r -> r.key().equals(key));
    }

    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }

    /**
     * Parses the string form; null or blank selects everything.
     *
     * @throws IllegalArgumentException saying what is wrong and where
     */
    static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        return new Parser(text).selector();
    }

    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        LabelSelector selector() {
            List<Requirement> out = new ArrayList<>();
            while (true) {
                out.add(requirement());
                skipSpace();
                if (at == text.length()) {
                    return new LabelSelector(out);
                }
                expect(',');
            }
        }

        private Requirement requirement() {
            skipSpace();
            if (peek() == '!' && !text.startsWith("!=", at)) {
                at++;
                return new Requirement(key(), Operator.DOES_NOT_EXIST, Set.of());
            }
            String key = key();
            skipSpace();
            if (at == text.length() || peek() == ',') {
                return new Requirement(key, Operator.EXISTS, Set.of());
            }
            if (text.startsWith("==", at)) {
                at += 2;
                return new Requirement(key, Operator.EQUALS, Set.of(value()));
            }
            if (text.startsWith("!=", at)) {
                at += 2;
                return new Requirement(key, Operator.NOT_EQUALS, Set.of(value()));
            }
            if (peek() == '=') {
                at++;
                return new Requirement(key, Operator.EQUALS, Set.of(value()));
            }
            String word = word();
            Operator op = switch (word) {
                case "in" -> Operator.IN;
                case "notin" -> Operator.NOT_IN;
                default -> throw error(word.isEmpty() ? "expected an operator (=, ==, !=, in, notin) after key '" + key + "'"
                        : "'" + word + "' is not an operator (=, ==, !=, in, notin)");
            };
            skipSpace();
            expect('(');
            skipSpace();
            if (peek() == ')') {
                throw error("for 'in' and 'notin' the set of values must not be empty");
            }
            Set<String> values = new TreeSet<>();
            while (true) {
                values.add(value());
                skipSpace();
                if (peek() == ')') {
                    at++;
                    break;
                }
                expect(',');
            }
            return new Requirement(key, op, values);
        }

        private String key() {
            skipSpace();
            int start = at;
            String key = word();
            if (key.isEmpty()) {
                throw error("expected a label key");
            }
            String problem = keyProblem(key);
            if (problem != null) {
                at = start;
                throw error("invalid label key '" + key + "': " + problem);
            }
            return key;
        }

        private String value() {
            skipSpace();
            int start = at;
            String value = word();
            if (!value.isEmpty() && (value.length() > 63 || !NAME.matcher(value).matches())) {
                at = start;
                throw error("invalid label value '" + value + "': at most 63 characters, alphanumeric at both ends, "
                        + "'-', '_' or '.' between");
            }
            return value;
        }

        /** Characters up to the next space or punctuation of the grammar. */
        private String word() {
            int start = at;
            while (at < text.length() && " \t,=!()".indexOf(text.charAt(at)) < 0) {
                at++;
            }
            return text.substring(start, at);
        }

        private void expect(char c) {
            skipSpace();
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private void skipSpace() {
            while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                at++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("unable to parse label selector \"" + text + "\" at position " + at + ": " + what);
        }
    }

    /** Why a key is not a Kubernetes qualified name ({@code [prefix/]name}), or null when it is one. */
    private static String keyProblem(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return "the prefix must be a DNS subdomain (lower case, at most 253 characters)";
            }
        }
        if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
            return "the name must be at most 63 characters, alphanumeric at both ends, '-', '_' or '.' between";
        }
        return null;
    }
}
