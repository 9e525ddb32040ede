package io.inferpulse.runtime.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the value types settings use. Durations read as Prometheus and Kubernetes write them. */
public final class ConfigParsers {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|µs|ns|s|m|h|d)");

    private ConfigParsers() {}

    public static final ConfigParser<String> STRING = text -> text;

    public static final ConfigParser<String> NON_EMPTY = text -> {
        if (text.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return text.strip();
    };

    public static final ConfigParser<Integer> INT = text -> {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an integer");
        }
    };

    public static final ConfigParser<Integer> PORT = text -> {
        int port = INT.parse(text);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(port + " is not a port (0..65535; 0 picks a free one)");
        }
        return port;
    };

    public static final ConfigParser<Boolean> BOOLEAN = text -> switch (text.strip().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on", "1" -> true;
        case "false", "no", "off", "0" -> false;
        default -> throw new IllegalArgumentException("'" + text + "' is not a boolean (true or false)");
    };

    /** Go/Prometheus style ({@code 1s}, {@code 250ms}, {@code 1m30s}) or ISO-8601 ({@code PT1S}). */
    public static final ConfigParser<Duration> DURATION = text -> {
        String t = text.strip();
        if (t.startsWith("P") || t.startsWith("p")) {
            Duration iso;
            try {
                iso = Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 duration");
            }
            if (iso.isNegative()) {
                throw new IllegalArgumentException("'" + text + "' is negative; a duration must be 0 or more");
            }
            return iso;
        }
        Matcher m = DURATION_PART.matcher(t);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < t.length() && m.find(at) && m.start() == at) {
            try {
                total = total.plus(unit(new BigDecimal(m.group(1)), m.group(2)));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is too long a duration");
            }
            at = m.end();
        }
        if (t.isEmpty() || at != t.length()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 1s, 250ms, 1m30s)");
        }
        return total;
    };

    public static final ConfigParser<Duration> POSITIVE_DURATION = text -> {
        Duration d = DURATION.parse(text);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("'" + text + "' must be a positive duration");
        }
        return d;
    };

    public static final ConfigParser<URI> URI_VALUE = text -> {
        try {
            URI uri = URI.create(text.strip());
            if (uri.getScheme() == null) {
                throw new IllegalArgumentException("'" + text + "' is not an absolute URL (e.g. http://127.0.0.1:8081)");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("'") ? e.getMessage() : "'" + text + "' is not a URL");
        }
    };

    public static final ConfigParser<Path> PATH = text -> Path.of(NON_EMPTY.parse(text));

    /** Comma-separated, blanks trimmed, empty items dropped. */
    public static final ConfigParser<List<String>> LIST = text ->
            Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();

    public static ConfigParser<Integer> intAtLeast(int min) {
        return text -> {
            int v = INT.parse(text);
            if (v < min) {
                throw new IllegalArgumentException(v + " is below the minimum " + min);
            }
            return v;
        };
    }

    /** A decimal number from {@code min} to {@code max}, both included. */
    public static ConfigParser<Double> doubleBetween(double min, double max) {
        return text -> {
            double v;
            try {
                v = Double.parseDouble(text.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a number", e);
            }
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException(v + " is not between " + min + " and " + max);
            }
            return v;
        };
    }

    public static <E extends Enum<E>> ConfigParser<E> enumOf(Class<E> type) {
        return text -> {
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(text.strip().replace('-', '_'))) {
                    return e;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not one of "
                    + Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
        };
    }

    /** Exact decimal arithmetic: no rounding surprises, and ArithmeticException past ~292 years instead of clamping. */
    private static Duration unit(BigDecimal amount, String unit) {
        long nanosPerUnit = switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        };
        return Duration.ofNanos(amount.multiply(BigDecimal.valueOf(nanosPerUnit))
                .setScale(0, RoundingMode.HALF_UP).longValueExact());
    }
}
