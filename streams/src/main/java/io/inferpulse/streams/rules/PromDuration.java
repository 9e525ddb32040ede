package io.inferpulse.streams.rules;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus's duration syntax: units y w d h m s ms, largest first, each at most once (5m, 1h30m, 10s). */
public final class PromDuration {

    private static final Pattern SYNTAX = Pattern.compile(
            "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
    private static final long[] UNIT_MILLIS = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1};

    private PromDuration() {
    }

    /** The duration, or IllegalArgumentException saying what is wrong with {@code text}. */
    public static Duration parse(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = SYNTAX.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            throw new IllegalArgumentException("not a valid duration string: \"" + text
                    + "\" (use Prometheus durations such as 30s, 5m, 1h30m; units y w d h m s ms)");
        }
        long millis = 0;
        for (int i = 0; i < UNIT_MILLIS.length; i++) {
            String group = m.group(i + 1);
            if (group != null) {
                try {
                    millis = Math.addExact(millis, Math.multiplyExact(Long.parseLong(group), UNIT_MILLIS[i]));
                } catch (ArithmeticException | NumberFormatException e) {
                    throw new IllegalArgumentException("duration out of range: \"" + text + "\"", e);
                }
            }
        }
        return Duration.ofMillis(millis);
    }

    /** Prometheus's rendering: 5m, 1h30m, 0s. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        String[] units = {"y", "w", "d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            long n = ms / UNIT_MILLIS[i];
            if (n > 0) {
                sb.append(n).append(units[i]);
                ms -= n * UNIT_MILLIS[i];
            }
        }
        return sb.toString();
    }
}
