package io.inferpulse.ingest.promtext;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The label set of a sample: an immutable map of label name to value, sorted by name (as Prometheus
 * sorts them), so two samples with the same labels in a different order are equal.
 *
 * <p>Stored as one flat array of alternating names and values rather than a {@code Map}: a sample
 * has a handful of labels and the parser creates one of these per sample line, so a single
 * array keeps both allocation and lookup cheap.
 */
public final class Labels {

    private static final Labels EMPTY = new Labels(new String[0]);

    /** name0, value0, name1, value1, ... sorted by name, names unique. */
    private final String[] pairs;

    private Labels(String[] pairs) {
        this.pairs = pairs;
    }

    public static Labels empty() {
        return EMPTY;
    }

    /**
     * Labels from alternating names and values, e.g. {@code Labels.of("model_name", "m", "le", "+Inf")}.
     *
     * @throws IllegalArgumentException on an odd argument count, an invalid or duplicate name
     */
    public static Labels of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("expected name/value pairs, got " + namesAndValues.length + " strings");
        }
        String[] copy = namesAndValues.clone();
        for (int i = 0; i < copy.length; i += 2) {
            String name = Objects.requireNonNull(copy[i], "label name");
            Objects.requireNonNull(copy[i + 1], "label value");
            if (!isValidName(name)) {
                throw new IllegalArgumentException("invalid label name \"" + name + "\"");
            }
            for (int j = 0; j < i; j += 2) {
                if (copy[j].equals(name)) {
                    throw new IllegalArgumentException("duplicate label name \"" + name + "\"");
                }
            }
        }
        return sorted(copy);
    }

    /**
     * For the parser, which has already validated names and rejected duplicates: takes the first
     * {@code count} pairs of a scratch array.
     */
    static Labels fromValidatedPairs(String[] scratch, int count) {
        return count == 0 ? EMPTY : sorted(Arrays.copyOf(scratch, 2 * count));
    }

    // Insertion sort: label sets are small, often already sorted by the exporter, and this
    // avoids the boxing and comparator allocation of a general sort.
    private static Labels sorted(String[] pairs) {
        for (int i = 2; i < pairs.length; i += 2) {
            String name = pairs[i];
            String value = pairs[i + 1];
            int j = i - 2;
            while (j >= 0 && pairs[j].compareTo(name) > 0) {
                pairs[j + 2] = pairs[j];
                pairs[j + 3] = pairs[j + 1];
                j -= 2;
            }
            pairs[j + 2] = name;
            pairs[j + 3] = value;
        }
        return new Labels(pairs);
    }

    static boolean isValidName(String name) {
        if (name.isEmpty() || !isNameStart(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            if (!isNameChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    static boolean isNameChar(char c) {
        return isNameStart(c) || (c >= '0' && c <= '9');
    }

    /** The value of the label, or null when absent. */
    public String get(String name) {
        // A linear scan beats binary search at the sizes seen in practice (< 10 labels).
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(name)) {
                return pairs[i + 1];
            }
        }
        return null;
    }

    public int size() {
        return pairs.length / 2;
    }

    public boolean isEmpty() {
        return pairs.length == 0;
    }

    /** The name of the {@code index}-th label in name order. */
    public String name(int index) {
        Objects.checkIndex(index, size());
        return pairs[2 * index];
    }

    /** The value of the {@code index}-th label in name order. */
    public String value(int index) {
        Objects.checkIndex(index, size());
        return pairs[2 * index + 1];
    }

    /** Visits the labels in name order without allocating. */
    public void forEach(BiConsumer<? super String, ? super String> action) {
        for (int i = 0; i < pairs.length; i += 2) {
            action.accept(pairs[i], pairs[i + 1]);
        }
    }

    /** A new unmodifiable map in name order. */
    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>(2 * size());
        forEach(map::put);
        return Collections.unmodifiableMap(map);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Labels labels && Arrays.equals(pairs, labels.pairs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pairs);
    }

    /** In exposition syntax, e.g. {@code {le="0.5",model_name="m"}}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder().append('{');
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(pairs[i]).append("=\"");
            String value = pairs[i + 1];
            for (int k = 0; k < value.length(); k++) {
                char c = value.charAt(k);
                switch (c) {
                    case '\\' -> out.append("\\\\");
                    case '"' -> out.append("\\\"");
                    case '\n' -> out.append("\\n");
                    default -> out.append(c);
                }
            }
            out.append('"');
        }
        return out.append('}').toString();
    }
}
