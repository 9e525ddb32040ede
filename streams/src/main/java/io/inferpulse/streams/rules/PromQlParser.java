package io.inferpulse.streams.rules;

import io.inferpulse.streams.rules.Expr.Aggregation;
import io.inferpulse.streams.rules.Expr.AggregationOp;
import io.inferpulse.streams.rules.Expr.Binary;
import io.inferpulse.streams.rules.Expr.BinaryOp;
import io.inferpulse.streams.rules.Expr.LabelMatcher;
import io.inferpulse.streams.rules.Expr.MatchOp;
import io.inferpulse.streams.rules.Expr.Negation;
import io.inferpulse.streams.rules.Expr.NumberLiteral;
import io.inferpulse.streams.rules.Expr.Selector;
import io.inferpulse.streams.rules.Expr.VectorMatching;
import io.inferpulse.streams.rules.PromQlLexer.Kind;
import io.inferpulse.streams.rules.PromQlLexer.Token;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Parses the PromQL subset our stats can answer and compiles it against {@link StatSeries}: range functions over the
 * EPP's request counters and latency histogram become selectors of the windowed series that stand for them.
 */
final class PromQlParser {

    static final String SUPPORTED = "supported: number literals, selectors of " + StatSeries.NAMES.subList(0, 4)
            + " with = != =~ !~ matchers, + - * / % ^, == != > < >= <= (with or without bool), and or unless,"
            + " on(...)/ignoring(...), sum avg min max count with by/without, rate/increase(inference_model_request_total"
            + " or inference_model_request_error_total[W]), histogram_quantile(0.5|0.9|0.99, rate(..."
            + "request_duration_seconds_bucket[W])) optionally inside sum by (le, model_name); see docs/alert-rules.md";

    private static final List<String> PREFIXES = List.of("inference_model_", "inference_objective_");
    private static final Map<String, AggregationOp> AGGREGATIONS = Map.of("sum", AggregationOp.SUM, "avg",
            AggregationOp.AVG, "min", AggregationOp.MIN, "max", AggregationOp.MAX, "count", AggregationOp.COUNT);
    private static final Set<String> OTHER_AGGREGATIONS = Set.of("stddev", "stdvar", "topk", "bottomk", "quantile",
            "count_values", "group");
    private static final Map<String, BinaryOp> OPERATORS = operators();

    private final List<Token> tokens;
    private final Duration requestWindow;
    private int index;

    private PromQlParser(String expr, Duration requestWindow) {
        this.tokens = PromQlLexer.tokens(expr);
        this.requestWindow = requestWindow;
    }

    /** The compiled expression, or PromQlException naming the unsupported or malformed construct. */
    static Expr parse(String expr, Duration requestWindow) {
        PromQlParser parser = new PromQlParser(expr, requestWindow);
        if (parser.peek().kind() == Kind.END) {
            throw new PromQlException("empty expression");
        }
        Expr result = parser.expression(1);
        Token rest = parser.peek();
        if (rest.kind() != Kind.END) {
            throw new PromQlException("unexpected " + rest.describe() + " after a complete expression");
        }
        return result;
    }

    private Expr expression(int minPrecedence) {
        Expr lhs = unary();
        while (true) {
            BinaryOp op = binaryOperator(peek());
            if (op == null || op.precedence < minPrecedence) {
                return lhs;
            }
            Token opToken = advance();
            boolean returnBool = false;
            if (peek().isKeyword("bool")) {
                if (!op.isComparison()) {
                    throw new PromQlException("bool modifier at " + peek().describe() + " can only be used on comparison"
                            + " operators, not \"" + op.symbol + "\"");
                }
                advance();
                returnBool = true;
            }
            VectorMatching matching = VectorMatching.DEFAULT;
            if (peek().isKeyword("on") || peek().isKeyword("ignoring")) {
                boolean on = advance().text().equalsIgnoreCase("on");
                matching = new VectorMatching(on, labelList());
            }
            if (peek().isKeyword("group_left") || peek().isKeyword("group_right")) {
                throw new PromQlException("\"" + peek().text() + "\" (many-to-one matching) is not supported; " + SUPPORTED);
            }
            Expr rhs = expression(op.rightAssociative() ? op.precedence : op.precedence + 1);
            lhs = binary(op, opToken, lhs, rhs, returnBool, matching);
        }
    }

    private Expr binary(BinaryOp op, Token opToken, Expr lhs, Expr rhs, boolean returnBool, VectorMatching matching) {
        boolean bothScalar = lhs.type() == Expr.Type.SCALAR && rhs.type() == Expr.Type.SCALAR;
        if (op.isComparison() && bothScalar && !returnBool) {
            throw new PromQlException("comparisons between scalars must use the bool modifier (operator \"" + op.symbol
                    + "\" at character " + (opToken.position() + 1) + ")");
        }
        if (op.isSetOperator() && (lhs.type() == Expr.Type.SCALAR || rhs.type() == Expr.Type.SCALAR)) {
            throw new PromQlException("set operator \"" + op.symbol + "\" at character " + (opToken.position() + 1)
                    + " needs instant vectors on both sides, not scalars");
        }
        if (matching != VectorMatching.DEFAULT && (lhs.type() == Expr.Type.SCALAR || rhs.type() == Expr.Type.SCALAR)) {
            throw new PromQlException("vector matching (on/ignoring) at character " + (opToken.position() + 1)
                    + " is only allowed between instant vectors");
        }
        return new Binary(op, lhs, rhs, returnBool, matching);
    }

    private Expr unary() {
        Token t = peek();
        if (t.is(Kind.OPERATOR, "-") || t.is(Kind.OPERATOR, "+")) {
            advance();
            // Unary minus binds tighter than every binary operator but ^, as in PromQL: -2^2 is -4.
            Expr operand = expression(BinaryOp.POW.precedence);
            if (t.text().equals("+")) {
                return operand;
            }
            return operand instanceof NumberLiteral n ? new NumberLiteral(-n.value()) : new Negation(operand);
        }
        Expr primary = primary();
        Token after = peek();
        if (after.isKeyword("offset")) {
            throw new PromQlException("the \"offset\" modifier at " + after.describe() + " is not supported: our stats"
                    + " hold only the current window; " + SUPPORTED);
        }
        if (after.kind() == Kind.AT) {
            throw new PromQlException("the \"@\" modifier at " + after.describe() + " is not supported: our stats hold"
                    + " only the current window; " + SUPPORTED);
        }
        if (after.kind() == Kind.RANGE) {
            throw new PromQlException(after.text().contains(":")
                    ? "subquery [" + after.text() + "] at character " + (after.position() + 1) + " is not supported; " + SUPPORTED
                    : "range [" + after.text() + "] at character " + (after.position() + 1) + " is only supported on a"
                    + " selector inside rate(), increase() or histogram_quantile(); " + SUPPORTED);
        }
        return primary;
    }

    private Expr primary() {
        Token t = advance();
        switch (t.kind()) {
            case NUMBER -> {
                return new NumberLiteral(number(t));
            }
            case LEFT_PAREN -> {
                Expr inner = expression(1);
                expect(Kind.RIGHT_PAREN, ")");
                return inner;
            }
            case DURATION -> throw new PromQlException("duration literal " + t.describe() + " is not supported outside"
                    + " a range [..]; " + SUPPORTED);
            case STRING -> throw new PromQlException("string literal \"" + t.text() + "\" at character "
                    + (t.position() + 1) + " is not supported; " + SUPPORTED);
            case LEFT_BRACE -> throw new PromQlException("selector without a metric name at character "
                    + (t.position() + 1) + " is not supported: name the series; available: " + StatSeries.NAMES);
            case IDENTIFIER -> {
                String name = t.text();
                String lower = name.toLowerCase(Locale.ROOT);
                if (peek().kind() == Kind.LEFT_PAREN
                        || (AGGREGATIONS.containsKey(lower) && (peek().isKeyword("by") || peek().isKeyword("without")))) {
                    return call(t);
                }
                if (lower.equals("inf") || lower.equals("nan")) {
                    return new NumberLiteral(lower.equals("inf") ? Double.POSITIVE_INFINITY : Double.NaN);
                }
                return instantSelector(t);
            }
            default -> throw new PromQlException("unexpected " + t.describe() + "; expected a number, a selector, a"
                    + " function, an aggregation or \"(\"");
        }
    }

    private Expr call(Token nameToken) {
        String name = nameToken.text().toLowerCase(Locale.ROOT);
        AggregationOp aggregation = AGGREGATIONS.get(name);
        if (aggregation != null) {
            return aggregation(aggregation);
        }
        if (OTHER_AGGREGATIONS.contains(name)) {
            throw new PromQlException("aggregation \"" + nameToken.text() + "\" is not supported; " + SUPPORTED);
        }
        return switch (name) {
            case "rate", "increase" -> {
                expect(Kind.LEFT_PAREN, "(");
                Expr rate = rate(name);
                expect(Kind.RIGHT_PAREN, ")");
                yield rate;
            }
            case "histogram_quantile" -> histogramQuantile();
            default -> throw new PromQlException("function \"" + nameToken.text() + "\" is not supported; " + SUPPORTED);
        };
    }

    private Expr aggregation(AggregationOp op) {
        Boolean without = null;
        List<String> grouping = List.of();
        if (peek().isKeyword("by") || peek().isKeyword("without")) {
            without = advance().text().equalsIgnoreCase("without");
            grouping = labelList();
        }
        expect(Kind.LEFT_PAREN, "(");
        Expr arg = expression(1);
        if (peek().kind() == Kind.COMMA) {
            throw new PromQlException(op.name().toLowerCase(Locale.ROOT) + "() takes one argument, found a second at "
                    + peek().describe());
        }
        expect(Kind.RIGHT_PAREN, ")");
        if (without == null && (peek().isKeyword("by") || peek().isKeyword("without"))) {
            without = advance().text().equalsIgnoreCase("without");
            grouping = labelList();
        }
        if (arg.type() != Expr.Type.VECTOR) {
            throw new PromQlException(op.name().toLowerCase(Locale.ROOT) + "() needs an instant vector, not a scalar");
        }
        return new Aggregation(op, arg, without != null && without, grouping);
    }

    /** rate|increase(counter[W]): the windowed rate series; increase is rate times the window's seconds. */
    private Expr rate(String function) {
        Token nameToken = expect(Kind.IDENTIFIER, "a metric name");
        String base = unprefixed(nameToken.text());
        List<LabelMatcher> matchers = matchers(nameToken.text());
        rangeOf(function, nameToken.text());
        String series = switch (base == null ? "" : base) {
            case "request_total" -> StatSeries.REQUEST_RATE;
            case "request_error_total" -> StatSeries.ERROR_RATE;
            case "request_duration_seconds_bucket" -> throw new PromQlException(function + "(" + nameToken.text()
                    + "[...]) is only supported inside histogram_quantile(0.5|0.9|0.99, ...); " + SUPPORTED);
            default -> throw new PromQlException(function + "() over \"" + nameToken.text() + "\" is not supported: only"
                    + " inference_model_request_total and inference_model_request_error_total (or the inference_objective_"
                    + " names) have windowed rates; " + SUPPORTED);
        };
        requireLabels(matchers, Set.of("model_name", "target_model_name"), nameToken.text());
        Expr selector = new Selector(series, matchers, true);
        if (function.equals("increase")) {
            return new Binary(BinaryOp.MUL, selector, new NumberLiteral(requestWindow.toMillis() / 1000.0), false,
                    VectorMatching.DEFAULT);
        }
        return selector;
    }

    private Expr histogramQuantile() {
        expect(Kind.LEFT_PAREN, "(");
        Token phiToken = advance();
        if (phiToken.kind() != Kind.NUMBER) {
            throw new PromQlException("histogram_quantile() needs a number literal quantile (0.5, 0.9 or 0.99), found "
                    + phiToken.describe());
        }
        double phi = number(phiToken);
        String quantile = phi == 0.5 ? "p50" : phi == 0.9 ? "p90" : phi == 0.99 ? "p99" : null;
        if (quantile == null) {
            throw new PromQlException("histogram_quantile(" + phiToken.text() + ", ...): quantile " + phiToken.text()
                    + " is not computed; supported quantiles: 0.5, 0.9, 0.99");
        }
        expect(Kind.COMMA, ",");
        Token inner = expect(Kind.IDENTIFIER, "rate(...) or sum by (le, model_name) (rate(...))");
        boolean byModel;
        List<LabelMatcher> matchers;
        if (inner.isKeyword("rate")) {
            matchers = bucketRate();
            byModel = false;
        } else if (inner.isKeyword("sum")) {
            List<String> grouping = null;
            if (peek().isKeyword("by")) {
                advance();
                grouping = labelList();
            }
            expect(Kind.LEFT_PAREN, "(");
            expectKeyword("rate");
            matchers = bucketRate();
            expect(Kind.RIGHT_PAREN, ")");
            if (grouping == null && peek().isKeyword("by")) {
                advance();
                grouping = labelList();
            }
            Set<String> groups = grouping == null ? Set.of() : new HashSet<>(grouping);
            if (groups.equals(Set.of("le", "model_name"))) {
                byModel = true;
            } else if (groups.equals(Set.of("le", "model_name", "target_model_name"))) {
                byModel = false;
            } else {
                throw new PromQlException("histogram_quantile over sum " + (grouping == null ? "without by" : "by "
                        + grouping) + " is not supported: quantiles exist per model (by (le, model_name)) and per model"
                        + " and target (by (le, model_name, target_model_name))");
            }
        } else {
            throw new PromQlException("histogram_quantile(" + phiToken.text() + ", " + inner.text() + " ...) is not"
                    + " supported: the second argument must be rate(...request_duration_seconds_bucket[W]) or sum by"
                    + " (le, model_name) (rate(...)); " + SUPPORTED);
        }
        expect(Kind.RIGHT_PAREN, ")");
        if (byModel && matchers.stream().anyMatch(m -> !m.label().equals("model_name"))) {
            throw new PromQlException("matchers on target_model_name inside sum by (le, model_name) are not supported:"
                    + " per-model quantiles are computed over all targets");
        }
        String series = switch (quantile) {
            case "p50" -> byModel ? StatSeries.MODEL_LATENCY_P50 : StatSeries.LATENCY_P50;
            case "p90" -> byModel ? StatSeries.MODEL_LATENCY_P90 : StatSeries.LATENCY_P90;
            default -> byModel ? StatSeries.MODEL_LATENCY_P99 : StatSeries.LATENCY_P99;
        };
        return new Selector(series, matchers, true);
    }

    /** {@code (…request_duration_seconds_bucket{…}[W])} after "rate". */
    private List<LabelMatcher> bucketRate() {
        expect(Kind.LEFT_PAREN, "(");
        Token nameToken = expect(Kind.IDENTIFIER, "a metric name");
        if (!"request_duration_seconds_bucket".equals(unprefixed(nameToken.text()))) {
            throw new PromQlException("histogram_quantile() over \"" + nameToken.text() + "\" is not supported: only"
                    + " inference_model_request_duration_seconds_bucket (or the inference_objective_ name)");
        }
        List<LabelMatcher> matchers = matchers(nameToken.text());
        rangeOf("rate", nameToken.text());
        expect(Kind.RIGHT_PAREN, ")");
        requireLabels(matchers, Set.of("model_name", "target_model_name"), nameToken.text());
        return matchers;
    }

    private void rangeOf(String function, String metric) {
        Token range = peek();
        if (range.kind() != Kind.RANGE) {
            throw new PromQlException(function + "() needs a range selector such as " + metric + "["
                    + PromDuration.format(requestWindow) + "], found " + range.describe());
        }
        advance();
        if (range.text().contains(":")) {
            throw new PromQlException("subquery [" + range.text() + "] is not supported; " + SUPPORTED);
        }
        Duration window;
        try {
            window = PromDuration.parse(range.text());
        } catch (IllegalArgumentException e) {
            throw new PromQlException("bad range [" + range.text() + "]: " + e.getMessage());
        }
        if (!window.equals(requestWindow)) {
            throw new PromQlException("range [" + range.text() + "] of " + function + "(" + metric + "[...]) is not"
                    + " supported: request statistics are computed over " + PromDuration.format(requestWindow)
                    + " windows only (the request window setting)");
        }
        Token after = peek();
        if (after.isKeyword("offset") || after.kind() == Kind.AT) {
            throw new PromQlException("the \"" + after.text() + "\" modifier at " + after.describe()
                    + " is not supported: our stats hold only the current window; " + SUPPORTED);
        }
    }

    private Expr instantSelector(Token nameToken) {
        String name = nameToken.text();
        List<LabelMatcher> matchers = matchers(name);
        if (peek().kind() == Kind.RANGE) {
            throw new PromQlException("range selector " + name + "[" + peek().text() + "] is only supported inside rate(),"
                    + " increase() or histogram_quantile(); " + SUPPORTED);
        }
        if (!StatSeries.NAMES.contains(name)) {
            String base = unprefixed(name);
            if (base != null && (base.equals("request_total") || base.equals("request_error_total")
                    || base.startsWith("request_duration_seconds"))) {
                throw new PromQlException("\"" + name + "\" is a counter or histogram and can only be read through"
                        + " rate(), increase() or histogram_quantile() over [" + PromDuration.format(requestWindow)
                        + "]; " + SUPPORTED);
            }
            throw new PromQlException("unknown metric \"" + name + "\": no stats record produces it; series that exist: "
                    + StatSeries.NAMES + ", and the counters/histogram through rate/increase/histogram_quantile");
        }
        return new Selector(name, matchers, false);
    }

    private List<LabelMatcher> matchers(String metric) {
        if (peek().kind() != Kind.LEFT_BRACE) {
            return List.of();
        }
        advance();
        List<LabelMatcher> matchers = new ArrayList<>();
        while (peek().kind() != Kind.RIGHT_BRACE) {
            Token label = expect(Kind.IDENTIFIER, "a label name");
            Token op = advance();
            MatchOp matchOp = switch (op.kind() == Kind.OPERATOR ? op.text() : "") {
                case "=" -> MatchOp.EQUAL;
                case "!=" -> MatchOp.NOT_EQUAL;
                case "=~" -> MatchOp.REGEX;
                case "!~" -> MatchOp.NOT_REGEX;
                default -> throw new PromQlException("expected a label matcher operator (= != =~ !~) after \""
                        + label.text() + "\" in " + metric + "{...}, found " + op.describe());
            };
            Token value = expect(Kind.STRING, "a quoted label value");
            if (label.text().equals(Sample.METRIC_NAME)) {
                throw new PromQlException("matchers on __name__ in " + metric + "{...} are not supported: name the series");
            }
            matchers.add(matcher(label.text(), matchOp, value.text()));
            if (peek().kind() == Kind.COMMA) {
                advance();
            } else if (peek().kind() != Kind.RIGHT_BRACE) {
                throw new PromQlException("expected \",\" or \"}\" in " + metric + "{...}, found " + peek().describe());
            }
        }
        advance();
        return List.copyOf(matchers);
    }

    private static LabelMatcher matcher(String label, MatchOp op, String value) {
        if (op == MatchOp.REGEX || op == MatchOp.NOT_REGEX) {
            // RE2 has no look-around or back-references; refusing them keeps rules portable to Prometheus.
            if (value.matches("(?s).*\\(\\?<?[=!].*") || value.matches("(?s).*\\\\[1-9].*")) {
                throw new PromQlException("regex \"" + value + "\" for label " + label + " uses look-around or"
                        + " back-references, which RE2 (Prometheus) does not support");
            }
            try {
                return LabelMatcher.of(label, op, value);
            } catch (PatternSyntaxException e) {
                throw new PromQlException("bad regex \"" + value + "\" for label " + label + ": " + e.getDescription());
            }
        }
        return LabelMatcher.of(label, op, value);
    }

    private static void requireLabels(List<LabelMatcher> matchers, Set<String> allowed, String metric) {
        for (LabelMatcher m : matchers) {
            if (!allowed.contains(m.label())) {
                throw new PromQlException("matcher on label \"" + m.label() + "\" of " + metric + " is not supported: the"
                        + " windowed request series carry only " + allowed.stream().sorted().toList());
            }
        }
    }

    private List<String> labelList() {
        expect(Kind.LEFT_PAREN, "(");
        List<String> labels = new ArrayList<>();
        while (peek().kind() != Kind.RIGHT_PAREN) {
            labels.add(expect(Kind.IDENTIFIER, "a label name").text());
            if (peek().kind() == Kind.COMMA) {
                advance();
            } else if (peek().kind() != Kind.RIGHT_PAREN) {
                throw new PromQlException("expected \",\" or \")\" in a label list, found " + peek().describe());
            }
        }
        advance();
        return List.copyOf(labels);
    }

    private static String unprefixed(String metric) {
        for (String prefix : PREFIXES) {
            if (metric.startsWith(prefix)) {
                return metric.substring(prefix.length());
            }
        }
        return null;
    }

    private static double number(Token t) {
        String text = t.text();
        try {
            if (text.startsWith("0x") || text.startsWith("0X")) {
                return Long.parseLong(text.substring(2), 16);
            }
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new PromQlException("bad number " + t.describe());
        }
    }

    private static BinaryOp binaryOperator(Token t) {
        if (t.kind() == Kind.OPERATOR || t.kind() == Kind.IDENTIFIER) {
            BinaryOp op = OPERATORS.get(t.text().toLowerCase(Locale.ROOT));
            if (op != null && (t.kind() == Kind.OPERATOR) == !Character.isLetter(op.symbol.charAt(0))) {
                return op;
            }
        }
        return null;
    }

    private static Map<String, BinaryOp> operators() {
        Map<String, BinaryOp> ops = new HashMap<>();
        for (BinaryOp op : BinaryOp.values()) {
            ops.put(op.symbol, op);
        }
        return Map.copyOf(ops);
    }

    private Token expect(Kind kind, String what) {
        Token t = advance();
        if (t.kind() != kind) {
            throw new PromQlException("expected " + what + ", found " + t.describe());
        }
        return t;
    }

    private void expectKeyword(String keyword) {
        Token t = advance();
        if (!t.isKeyword(keyword)) {
            throw new PromQlException("expected \"" + keyword + "\", found " + t.describe());
        }
    }

    private Token peek() {
        return tokens.get(index);
    }

    private Token advance() {
        Token t = tokens.get(index);
        if (t.kind() != Kind.END) {
            index++;
        }
        return t;
    }
}
