package io.inferpulse.streams.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The subset of Go text/template that Prometheus alert labels and annotations use: text with actions
 * {@code {{ operand | function ... }}} over {@code $labels.x}/{@code .Labels.x}, {@code $value}/{@code .Value},
 * {@code $externalLabels.x}, {@code $externalURL} and string literals, through humanize, humanizePercentage,
 * humanizeDuration, printf, toUpper, toLower and title. Parsed once at load so bad syntax fails there.
 */
final class Template {

    static final Set<String> FUNCTIONS = Set.of("humanize", "humanizePercentage", "humanizeDuration", "printf", "toUpper",
            "toLower", "title");

    /** What a template sees of one alert. */
    record Data(Map<String, String> labels, double value, Map<String, String> externalLabels, String externalUrl) {
    }

    private sealed interface Part permits Text, Action {
    }

    private record Text(String text) implements Part {
    }

    private record Action(List<Command> pipeline) implements Part {
    }

    /** A function applied to arguments (the previous command's result appended), or a single operand. */
    private record Command(String function, List<Operand> args) {
    }

    private sealed interface Operand permits Literal, Field {
    }

    private record Literal(String value) implements Operand {
    }

    private enum Source { LABELS, VALUE, EXTERNAL_LABELS, EXTERNAL_URL }

    private record Field(Source source, String key) implements Operand {
    }

    private final List<Part> parts;

    private Template(List<Part> parts) {
        this.parts = parts;
    }

    /** The parsed template, or IllegalArgumentException naming the unsupported construct. */
    static Template parse(String text) {
        List<Part> parts = new ArrayList<>();
        int pos = 0;
        boolean trimNextText = false;
        while (pos <= text.length()) {
            int open = text.indexOf("{{", pos);
            String literal = open < 0 ? text.substring(pos) : text.substring(pos, open);
            if (trimNextText) {
                literal = literal.stripLeading();
            }
            if (open < 0) {
                addText(parts, literal);
                break;
            }
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed action: \"{{\" at character " + (open + 1) + " has no \"}}\"");
            }
            String body = text.substring(open + 2, close);
            if (body.startsWith("- ") || body.equals("-")) {
                literal = literal.stripTrailing();
                body = body.substring(1);
            }
            trimNextText = body.endsWith(" -");
            if (trimNextText) {
                body = body.substring(0, body.length() - 2);
            }
            addText(parts, literal);
            parts.add(new Action(pipeline(body.strip(), text.substring(open, close + 2))));
            pos = close + 2;
        }
        return new Template(List.copyOf(parts));
    }

    private static void addText(List<Part> parts, String literal) {
        if (!literal.isEmpty()) {
            parts.add(new Text(literal));
        }
    }

    private static List<Command> pipeline(String body, String action) {
        if (body.isEmpty()) {
            throw new IllegalArgumentException("empty action " + action);
        }
        List<Command> commands = new ArrayList<>();
        for (String command : splitOutsideQuotes(body, '|', action)) {
            List<String> words = splitOutsideQuotes(command.strip(), ' ', action).stream()
                    .filter(w -> !w.isBlank()).toList();
            if (words.isEmpty()) {
                throw new IllegalArgumentException("missing command in pipeline " + action);
            }
            String first = words.get(0);
            if (FUNCTIONS.contains(first)) {
                commands.add(new Command(first, words.subList(1, words.size()).stream().map(w -> operand(w, action)).toList()));
            } else if (words.size() == 1 && !commands.isEmpty()) {
                throw new IllegalArgumentException("\"" + first + "\" in " + action + " is not a supported function;"
                        + " supported: " + FUNCTIONS.stream().sorted().toList());
            } else if (words.size() == 1) {
                commands.add(new Command(null, List.of(operand(first, action))));
            } else {
                throw new IllegalArgumentException(unsupported(first, action));
            }
        }
        if (commands.get(0).function() == null && commands.get(0).args().isEmpty()) {
            throw new IllegalArgumentException("empty action " + action);
        }
        return List.copyOf(commands);
    }

    private static Operand operand(String word, String action) {
        if (word.length() >= 2 && (word.startsWith("\"") && word.endsWith("\"") || word.startsWith("`") && word.endsWith("`"))) {
            return new Literal(unquote(word, action));
        }
        for (String[] alias : new String[][] {{"$labels.", "LABELS"}, {".Labels.", "LABELS"},
                {"$externalLabels.", "EXTERNAL_LABELS"}, {".ExternalLabels.", "EXTERNAL_LABELS"}}) {
            if (word.startsWith(alias[0])) {
                String key = word.substring(alias[0].length());
                if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("bad label name \"" + key + "\" in " + action);
                }
                return new Field(Source.valueOf(alias[1]), key);
            }
        }
        return switch (word) {
            case "$value", ".Value" -> new Field(Source.VALUE, null);
            case "$externalURL", ".ExternalURL" -> new Field(Source.EXTERNAL_URL, null);
            default -> throw new IllegalArgumentException(unsupported(word, action));
        };
    }

    private static String unsupported(String word, String action) {
        return "\"" + word + "\" in " + action + " is not supported; supported: $labels.<name>, .Labels.<name>, $value,"
                + " .Value, $externalLabels.<name>, $externalURL, \"strings\", and the functions "
                + FUNCTIONS.stream().sorted().toList() + " (no if/range/with/define/variables); see docs/alert-rules.md";
    }

    private static String unquote(String word, String action) {
        if (word.startsWith("`")) {
            return word.substring(1, word.length() - 1);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < word.length() - 1; i++) {
            char c = word.charAt(i);
            if (c == '\\' && i + 1 < word.length() - 1) {
                char e = word.charAt(++i);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case '\\', '"' -> sb.append(e);
                    default -> throw new IllegalArgumentException("unknown escape \\" + e + " in " + action);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static List<String> splitOutsideQuotes(String s, char separator, String action) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                current.append(c);
                if (c == '\\' && quote == '"' && i + 1 < s.length()) {
                    current.append(s.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '`') {
                quote = c;
                current.append(c);
            } else if (c == separator || (separator == ' ' && Character.isWhitespace(c))) {
                out.add(current.toString());
                current.setLength(0);
            } else if (c == '(' || c == ')') {
                throw new IllegalArgumentException("parenthesised pipelines in " + action + " are not supported");
            } else {
                current.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated string in " + action);
        }
        out.add(current.toString());
        return out;
    }

    /**
     * The text for one alert. A function failing on its input (humanize of a non-number) renders Prometheus's
     * {@code <error expanding template: ...>} instead of dropping the alert, as Prometheus does.
     */
    String render(Data data) {
        StringBuilder sb = new StringBuilder();
        try {
            for (Part part : parts) {
                switch (part) {
                    case Text t -> sb.append(t.text());
                    case Action a -> sb.append(print(run(a.pipeline(), data)));
                }
            }
        } catch (IllegalArgumentException e) {
            return "<error expanding template: " + e.getMessage() + ">";
        }
        return sb.toString();
    }

    private static Object run(List<Command> pipeline, Data data) {
        Object previous = null;
        for (Command c : pipeline) {
            List<Object> args = new ArrayList<>();
            c.args().forEach(op -> args.add(resolve(op, data)));
            if (previous != null) {
                args.add(previous);
            }
            previous = c.function() == null ? args.get(0) : call(c.function(), args);
        }
        return previous;
    }

    private static Object resolve(Operand op, Data data) {
        return switch (op) {
            case Literal l -> l.value();
            case Field f -> switch (f.source()) {
                // Prometheus executes templates with missingkey=zero: an absent label is "".
                case LABELS -> data.labels().getOrDefault(f.key(), "");
                case EXTERNAL_LABELS -> data.externalLabels().getOrDefault(f.key(), "");
                case VALUE -> data.value();
                case EXTERNAL_URL -> data.externalUrl();
            };
        };
    }

    private static Object call(String function, List<Object> args) {
        if (function.equals("printf")) {
            if (args.isEmpty() || !(args.get(0) instanceof String format)) {
                throw new IllegalArgumentException("printf needs a format string first");
            }
            return GoPrintf.format(format, args.subList(1, args.size()));
        }
        if (args.size() != 1) {
            throw new IllegalArgumentException("wrong number of args for " + function + ": want 1 got " + args.size());
        }
        Object arg = args.get(0);
        return switch (function) {
            case "humanize" -> Humanize.number(toFloat(arg));
            case "humanizePercentage" -> GoFormat.general(toFloat(arg) * 100, 4) + "%";
            case "humanizeDuration" -> Humanize.duration(toFloat(arg));
            case "toUpper" -> print(arg).toUpperCase(Locale.ROOT);
            case "toLower" -> print(arg).toLowerCase(Locale.ROOT);
            case "title" -> title(print(arg));
            default -> throw new IllegalStateException("function list and switch disagree on " + function);
        };
    }

    static String print(Object value) {
        return value instanceof Double d ? GoFormat.value(d) : String.valueOf(value);
    }

    private static double toFloat(Object value) {
        if (value instanceof Double d) {
            return d;
        }
        String s = value.toString();
        try {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
                case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                case "nan" -> Double.NaN;
                default -> {
                    if (!s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                        throw new NumberFormatException();
                    }
                    yield Double.parseDouble(s);
                }
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("strconv.ParseFloat: parsing \"" + s + "\": invalid syntax");
        }
    }

    /** Go's strings.Title: upper-cases the first letter of each word; letters, digits and _ continue a word. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean atWordStart = true;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            sb.appendCodePoint(atWordStart ? Character.toTitleCase(cp) : cp);
            atWordStart = !(Character.isLetterOrDigit(cp) || cp == '_');
            i += Character.charCount(cp);
        }
        return sb.toString();
    }
}
