package io.inferpulse.streams.rules;

/** Prometheus's humanize and humanizeDuration template functions (template/template.go). */
final class Humanize {

    private static final String[] BIG = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
    private static final String[] SMALL = {"m", "u", "n", "p", "f", "a", "z", "y"};

    private Humanize() {
    }

    /** SI prefixes with 4 significant digits: 1234567 is "1.235M", 0.0012 is "1.2m". */
    static String number(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return GoFormat.general(v, 4);
        }
        String prefix = "";
        if (Math.abs(v) >= 1) {
            for (String p : BIG) {
                if (Math.abs(v) < 1000) {
                    break;
                }
                prefix = p;
                v /= 1000;
            }
        } else {
            for (String p : SMALL) {
                if (Math.abs(v) >= 1) {
                    break;
                }
                prefix = p;
                v *= 1000;
            }
        }
        return GoFormat.general(v, 4) + prefix;
    }

    /** Seconds as "1d 2h 3m 4s", "1m 5s", "12.5s" or "500ms". */
    static String duration(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return GoFormat.general(v, 4);
        }
        if (v == 0) {
            return GoFormat.general(v, 4) + "s";
        }
        if (Math.abs(v) >= 1) {
            String sign = v < 0 ? "-" : "";
            v = Math.abs(v);
            long total = (long) v;
            long seconds = total % 60;
            long minutes = (total / 60) % 60;
            long hours = (total / 3600) % 24;
            long days = total / 86_400;
            if (days != 0) {
                return sign + days + "d " + hours + "h " + minutes + "m " + seconds + "s";
            }
            if (hours != 0) {
                return sign + hours + "h " + minutes + "m " + seconds + "s";
            }
            if (minutes != 0) {
                return sign + minutes + "m " + seconds + "s";
            }
            return sign + GoFormat.general(v, 4) + "s";
        }
        String prefix = "";
        for (String p : SMALL) {
            if (Math.abs(v) >= 1) {
                break;
            }
            prefix = p;
            v *= 1000;
        }
        return GoFormat.general(v, 4) + prefix + "s";
    }
}
