package io.inferpulse.ingest.engine;

import java.util.regex.Pattern;

/** Name rules shared by the specs, checked once when a spec is built, never per sample. */
final class Names {

    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** Engine names become one segment of a settings key and a pod label value, hence no dots. */
    private static final Pattern ENGINE = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    private Names() {
    }

    static String requireMetric(String name, String what) {
        if (name == null || !METRIC.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a valid Prometheus metric name");
        }
        return name;
    }

    static String requireLabel(String name, String what) {
        if (name == null || !LABEL.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a valid Prometheus label name");
        }
        return name;
    }

    static String requireEngine(String name) {
        if (name == null || !ENGINE.matcher(name).matches()) {
            throw new IllegalArgumentException("engine name '" + name
                    + "' must start with a lower-case letter or digit and contain only a-z, 0-9, '-' and '_'");
        }
        return name;
    }
}
