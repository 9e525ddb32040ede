package io.inferpulse.streams.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** A compiled PromQL expression: each node knows its type and evaluates over one instant's series. */
sealed interface Expr {

    enum Type { SCALAR, VECTOR }

    Type type();

    /** Only for {@link Type#SCALAR} nodes. */
    default double scalar(SeriesSet in) {
        throw new IllegalStateException("not a scalar expression: " + this);
    }

    /** Only for {@link Type#VECTOR} nodes. */
    default List<Sample> vector(SeriesSet in) {
        throw new IllegalStateException("not a vector expression: " + this);
    }

    /** Adds the names of the series this expression reads. */
    void inputMetrics(Set<String> into);

    record NumberLiteral(double value) implements Expr {
        @Override
        public Type type() {
            return Type.SCALAR;
        }

        @Override
        public double scalar(SeriesSet in) {
            return value;
        }

        @Override
        public void inputMetrics(Set<String> into) {
        }
    }

    enum MatchOp { EQUAL, NOT_EQUAL, REGEX, NOT_REGEX }

    record LabelMatcher(String label, MatchOp op, String value, Pattern regex) {
        static LabelMatcher of(String label, MatchOp op, String value) {
            Pattern regex = op == MatchOp.REGEX || op == MatchOp.NOT_REGEX ? Pattern.compile("^(?:" + value + ")$") : null;
            return new LabelMatcher(label, op, value, regex);
        }

        boolean matches(SortedMap<String, String> labels) {
            String actual = labels.getOrDefault(label, "");
            return switch (op) {
                case EQUAL -> actual.equals(value);
                case NOT_EQUAL -> !actual.equals(value);
                case REGEX -> regex.matcher(actual).matches();
                case NOT_REGEX -> !regex.matcher(actual).matches();
            };
        }
    }

    /**
     * The series {@code series} filtered by {@code matchers}; {@code dropName} when it stands for a function result,
     * which in PromQL carries no metric name.
     */
    record Selector(String series, List<LabelMatcher> matchers, boolean dropName) implements Expr {
        @Override
        public Type type() {
            return Type.VECTOR;
        }

        @Override
        public List<Sample> vector(SeriesSet in) {
            List<Sample> out = new ArrayList<>();
            for (Sample s : in.select(series)) {
                if (matchers.stream().allMatch(m -> m.matches(s.labels()))) {
                    out.add(dropName ? new Sample(s.labelsWithoutName(), s.value()) : s);
                }
            }
            return out;
        }

        @Override
        public void inputMetrics(Set<String> into) {
            into.add(series);
        }
    }

    record Negation(Expr operand) implements Expr {
        @Override
        public Type type() {
            return operand.type();
        }

        @Override
        public double scalar(SeriesSet in) {
            return -operand.scalar(in);
        }

        @Override
        public List<Sample> vector(SeriesSet in) {
            List<Sample> out = new ArrayList<>();
            for (Sample s : operand.vector(in)) {
                out.add(new Sample(s.labelsWithoutName(), -s.value()));
            }
            return requireDistinct(out);
        }

        @Override
        public void inputMetrics(Set<String> into) {
            operand.inputMetrics(into);
        }
    }

    enum BinaryOp {
        OR("or", 1), AND("and", 2), UNLESS("unless", 2),
        EQL("==", 3), NEQ("!=", 3), GTR(">", 3), LSS("<", 3), GTE(">=", 3), LTE("<=", 3),
        ADD("+", 4), SUB("-", 4), MUL("*", 5), DIV("/", 5), MOD("%", 5), POW("^", 6);

        final String symbol;
        final int precedence;

        BinaryOp(String symbol, int precedence) {
            this.symbol = symbol;
            this.precedence = precedence;
        }

        boolean isComparison() {
            return precedence == 3;
        }

        boolean isSetOperator() {
            return precedence <= 2;
        }

        boolean rightAssociative() {
            return this == POW;
        }

        /** IEEE arithmetic as Go's float64, so x/0 is ±Inf, 0/0 NaN, and NaN compares false except with !=. */
        double apply(double l, double r) {
            return switch (this) {
                case ADD -> l + r;
                case SUB -> l - r;
                case MUL -> l * r;
                case DIV -> l / r;
                case MOD -> l % r;
                case POW -> Math.pow(l, r);
                case EQL -> l == r ? 1 : 0;
                case NEQ -> l != r ? 1 : 0;
                case GTR -> l > r ? 1 : 0;
                case LSS -> l < r ? 1 : 0;
                case GTE -> l >= r ? 1 : 0;
                case LTE -> l <= r ? 1 : 0;
                case OR, AND, UNLESS -> throw new IllegalStateException(symbol + " is not an arithmetic operator");
            };
        }
    }

    /** How two vectors' series pair up: {@code on(labels)}, or all labels but {@code __name__} and {@code ignoring(labels)}. */
    record VectorMatching(boolean on, List<String> labels) {
        static final VectorMatching DEFAULT = new VectorMatching(false, List.of());

        SortedMap<String, String> signature(SortedMap<String, String> sampleLabels) {
            TreeMap<String, String> sig = new TreeMap<>();
            if (on) {
                for (String l : labels) {
                    String v = sampleLabels.get(l);
                    if (v != null) {
                        sig.put(l, v);
                    }
                }
            } else {
                sig.putAll(sampleLabels);
                sig.remove(Sample.METRIC_NAME);
                labels.forEach(sig::remove);
            }
            return sig;
        }
    }

    record Binary(BinaryOp op, Expr lhs, Expr rhs, boolean returnBool, VectorMatching matching) implements Expr {
        @Override
        public Type type() {
            return lhs.type() == Type.SCALAR && rhs.type() == Type.SCALAR ? Type.SCALAR : Type.VECTOR;
        }

        @Override
        public double scalar(SeriesSet in) {
            // Scalar comparisons only parse with bool, so apply()'s 0/1 is the answer.
            return op.apply(lhs.scalar(in), rhs.scalar(in));
        }

        @Override
        public List<Sample> vector(SeriesSet in) {
            if (lhs.type() == Type.SCALAR) {
                return vectorScalar(rhs.vector(in), lhs.scalar(in), true);
            }
            if (rhs.type() == Type.SCALAR) {
                return vectorScalar(lhs.vector(in), rhs.scalar(in), false);
            }
            List<Sample> l = lhs.vector(in);
            List<Sample> r = rhs.vector(in);
            return switch (op) {
                case AND -> setFilter(l, r, true);
                case UNLESS -> setFilter(l, r, false);
                case OR -> or(l, r);
                default -> oneToOne(l, r);
            };
        }

        private List<Sample> vectorScalar(List<Sample> vector, double scalar, boolean scalarOnLeft) {
            List<Sample> out = new ArrayList<>();
            for (Sample s : vector) {
                double l = scalarOnLeft ? scalar : s.value();
                double r = scalarOnLeft ? s.value() : scalar;
                double value = op.apply(l, r);
                if (op.isComparison() && !returnBool) {
                    if (value == 0) {
                        continue;
                    }
                    // A filtering comparison keeps the vector's own value and name, whichever side it is on.
                    out.add(s);
                } else {
                    out.add(new Sample(s.labelsWithoutName(), value));
                }
            }
            return requireDistinct(out);
        }

        private List<Sample> oneToOne(List<Sample> l, List<Sample> r) {
            Map<SortedMap<String, String>, Sample> right = new HashMap<>();
            for (Sample s : r) {
                if (right.put(matching.signature(s.labels()), s) != null) {
                    throw new RuleEvaluationException("found duplicate series for the match group "
                            + matching.signature(s.labels()) + " on the right hand-side of the operation " + op.symbol
                            + "; many-to-many matching not allowed: matching labels must be unique on one side");
                }
            }
            Set<SortedMap<String, String>> seenLeft = new HashSet<>();
            List<Sample> out = new ArrayList<>();
            for (Sample s : l) {
                SortedMap<String, String> sig = matching.signature(s.labels());
                Sample match = right.get(sig);
                if (match == null) {
                    continue;
                }
                if (!seenLeft.add(sig)) {
                    throw new RuleEvaluationException("multiple matches for labels " + sig + " on the left hand-side of "
                            + "the operation " + op.symbol + ": many-to-one matching must be explicit (group_left/group_right)");
                }
                double value = op.apply(s.value(), match.value());
                if (op.isComparison() && !returnBool) {
                    if (value == 0) {
                        continue;
                    }
                    value = s.value();
                }
                out.add(new Sample(resultLabels(s.labels()), value));
            }
            return requireDistinct(out);
        }

        private SortedMap<String, String> resultLabels(SortedMap<String, String> left) {
            TreeMap<String, String> labels = new TreeMap<>(left);
            if (!op.isComparison() || returnBool) {
                labels.remove(Sample.METRIC_NAME);
            }
            if (matching.on()) {
                labels.keySet().retainAll(matching.labels());
            } else {
                matching.labels().forEach(labels::remove);
            }
            return labels;
        }

        private List<Sample> setFilter(List<Sample> l, List<Sample> r, boolean keepMatching) {
            Set<SortedMap<String, String>> right = new HashSet<>();
            r.forEach(s -> right.add(matching.signature(s.labels())));
            return l.stream().filter(s -> right.contains(matching.signature(s.labels())) == keepMatching).toList();
        }

        private List<Sample> or(List<Sample> l, List<Sample> r) {
            Set<SortedMap<String, String>> left = new HashSet<>();
            l.forEach(s -> left.add(matching.signature(s.labels())));
            List<Sample> out = new ArrayList<>(l);
            r.stream().filter(s -> !left.contains(matching.signature(s.labels()))).forEach(out::add);
            return out;
        }

        @Override
        public void inputMetrics(Set<String> into) {
            lhs.inputMetrics(into);
            rhs.inputMetrics(into);
        }
    }

    enum AggregationOp { SUM, AVG, MIN, MAX, COUNT }

    /** {@code op by (grouping) (arg)}, or {@code without (grouping)}, which also drops {@code __name__}. */
    record Aggregation(AggregationOp op, Expr arg, boolean without, List<String> grouping) implements Expr {
        @Override
        public Type type() {
            return Type.VECTOR;
        }

        @Override
        public List<Sample> vector(SeriesSet in) {
            Map<SortedMap<String, String>, Group> groups = new LinkedHashMap<>();
            for (Sample s : arg.vector(in)) {
                groups.computeIfAbsent(groupLabels(s.labels()), k -> new Group()).add(op, s.value());
            }
            List<Sample> out = new ArrayList<>(groups.size());
            groups.forEach((labels, group) -> out.add(new Sample(labels, group.result(op))));
            return out;
        }

        private SortedMap<String, String> groupLabels(SortedMap<String, String> labels) {
            TreeMap<String, String> key = new TreeMap<>(labels);
            if (without) {
                key.remove(Sample.METRIC_NAME);
                grouping.forEach(key::remove);
            } else {
                key.keySet().retainAll(grouping);
            }
            return key;
        }

        @Override
        public void inputMetrics(Set<String> into) {
            arg.inputMetrics(into);
        }

        /** One aggregation group, accumulated as Prometheus does so results agree to the last bit. */
        private static final class Group {
            private int count;
            private double value;
            private double mean;

            void add(AggregationOp op, double v) {
                count++;
                if (count == 1) {
                    value = v;
                    mean = v;
                    return;
                }
                switch (op) {
                    case SUM -> value += v;
                    case MIN -> value = value > v || Double.isNaN(value) ? v : value;
                    case MAX -> value = value < v || Double.isNaN(value) ? v : value;
                    case AVG -> {
                        if (Double.isInfinite(mean)) {
                            boolean sameInfinity = Double.isInfinite(v) && (mean > 0) == (v > 0);
                            if (sameInfinity || (!Double.isInfinite(v) && !Double.isNaN(v))) {
                                // The mean stays at this infinity; the incremental formula would make it NaN.
                                return;
                            }
                        }
                        mean += v / count - mean / count;
                    }
                    case COUNT -> { }
                }
            }

            double result(AggregationOp op) {
                return switch (op) {
                    case SUM, MIN, MAX -> value;
                    case AVG -> mean;
                    case COUNT -> count;
                };
            }
        }
    }

    /** PromQL refuses results with two series of one label set, which dropping names can create. */
    private static List<Sample> requireDistinct(List<Sample> samples) {
        Set<SortedMap<String, String>> seen = new HashSet<>();
        for (Sample s : samples) {
            if (!seen.add(s.labels())) {
                throw new RuleEvaluationException("vector cannot contain metrics with the same labelset " + s.labels());
            }
        }
        return samples;
    }
}
