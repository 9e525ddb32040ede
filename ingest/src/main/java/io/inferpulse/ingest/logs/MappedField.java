package io.inferpulse.ingest.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@link AccessLogMapping.Rule} compiled for one format, whose parsed records are {@code R}.
 * Immutable and thread-safe.
 */
final class MappedField<R> {

    /**
     * One place a value may be read from.
     *
     * @param label  how the user named it, for rejection reasons
     * @param reader the value, or null when the record does not carry it; throws
     *               {@link AccessLogParseException} when it has the wrong type
     */
    record Source<R>(String label, Function<R, String> reader) {
    }

    private final String field;
    private final List<Source<R>> sources;
    private final Pattern pattern;
    private final String group;
    private final String fallback;

    /**
     * @param field    the settings name, e.g. {@code target-model}
     * @param rule     the rule, or empty when the format has no source for the field
     * @param fallback the value when neither a source nor the rule's value gives one, or null
     * @param compile  turns a source as the user wrote it into a reader of the format's records;
     *                 throws {@link IllegalArgumentException} for a source the format cannot have
     */
    MappedField(String field, Optional<AccessLogMapping.Rule> rule, String fallback,
                Function<String, Source<R>> compile) {
        this.field = field;
        this.sources = rule.map(r -> r.from().stream().map(compile).toList()).orElse(List.of());
        this.pattern = rule.flatMap(AccessLogMapping.Rule::regex).map(Pattern::compile).orElse(null);
        this.group = AccessLogMapping.group(field);
        this.fallback = rule.flatMap(AccessLogMapping.Rule::value).orElse(fallback);
    }

    /** The value from the first source that gives one, else the fixed value or fallback, else null. */
    String value(R record) {
        for (Source<R> source : sources) {
            String value = matched(source.reader().apply(record));
            if (value != null) {
                return value;
            }
        }
        return fallback;
    }

    String required(R record) {
        String value = value(record);
        if (value == null) {
            throw new AccessLogParseException("no " + field + ": " + whyAbsent(record));
        }
        return value;
    }

    OptionalLong count(R record) {
        for (Source<R> source : sources) {
            String value = matched(source.reader().apply(record));
            if (value != null) {
                long count = Lines.nonNegative(value);
                if (count < 0) {
                    throw new AccessLogParseException(source.label() + ": " + Lines.quote(value)
                            + " is not a token count");
                }
                return OptionalLong.of(count);
            }
        }
        return OptionalLong.empty();
    }

    private String matched(String value) {
        if (value == null || pattern == null) {
            return value;
        }
        Matcher matcher = pattern.matcher(value);
        if (!matcher.find()) {
            return null;
        }
        String part = matcher.group(group);
        return part == null || part.isBlank() ? null : part;
    }

    /** Only on the rejection path, so it reads the sources a second time rather than slow down the first. */
    private String whyAbsent(R record) {
        List<String> absent = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        for (Source<R> source : sources) {
            String value = source.reader().apply(record);
            if (value == null) {
                absent.add(source.label());
            } else {
                unmatched.add(source.label() + " " + Lines.quote(value));
            }
        }
        List<String> reasons = new ArrayList<>();
        if (!absent.isEmpty()) {
            reasons.add(enumerate(absent) + (absent.size() == 1 ? " is absent" : " are absent"));
        }
        if (!unmatched.isEmpty()) {
            reasons.add(enumerate(unmatched) + (unmatched.size() == 1 ? " does" : " do") + " not match the regex "
                    + pattern.pattern());
        }
        return reasons.isEmpty() ? "the format has no source for it; configure " + AccessLogMapping.PREFIX
                + field + ".from or .value" : String.join("; ", reasons);
    }

    private static String enumerate(List<String> items) {
        return items.size() == 1
                ? items.getFirst()
                : String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.getLast();
    }
}
