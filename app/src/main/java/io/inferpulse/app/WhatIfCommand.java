package io.inferpulse.app;

import io.inferpulse.autoscaler.replicas.BehaviorYaml;
import io.inferpulse.autoscaler.replicas.HpaReplay;
import io.inferpulse.autoscaler.replicas.HpaReplay.TargetType;
import io.inferpulse.autoscaler.replicas.HpaSettings;
import io.inferpulse.autoscaler.replicas.Recommendation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Replays a metric series through Kubernetes' HPA algorithm and prints what it would have done at each sync. */
@Command(name = "what-if", mixinStandardHelpOptions = true,
        description = {"Replay a metric series (CSV lines time,value[,ready]) through the HPA algorithm and print, at each "
                + "sync, the replica count the metric asks for and the one HPA would set, with HPA's reason.",
                "time is seconds (0, 15, ...) or RFC 3339; ready, when given, is the number of ready pods, otherwise all "
                        + "pods are ready at once. Each decision is assumed to be applied before the next sync.",
                "Exit status: 0 on success, 2 for bad options or input."})
final class WhatIfCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "The series; standard input when absent or -.")
    Path file;

    @Option(names = "--metric-type", defaultValue = "value", converter = MetricTypeConverter.class,
            description = "value (HPA target.type Value: ready pods x value / target) or average-value "
                    + "(AverageValue: value / target). Default ${DEFAULT-VALUE}.")
    TargetType metricType;

    @Option(names = "--target", required = true, description = "The HPA metric target.")
    double target;

    @Option(names = "--min", defaultValue = "1", description = "minReplicas (default ${DEFAULT-VALUE}).")
    int min;

    @Option(names = "--max", required = true, description = "maxReplicas.")
    int max;

    @Option(names = "--initial-replicas", description = "Replicas before the first sync (default: --min).")
    Integer initialReplicas;

    @Option(names = "--tolerance", defaultValue = "0.1", description = "Controller tolerance (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--sync-period", defaultValue = "15s", converter = RulesCommand.PrometheusDuration.class,
            description = "Controller sync period (default ${DEFAULT-VALUE}).")
    Duration syncPeriod;

    @Option(names = "--scale-down-stabilization", defaultValue = "5m", converter = RulesCommand.PrometheusDuration.class,
            description = "Controller downscale stabilization window, used without behavior or when behavior sets none "
                    + "(default ${DEFAULT-VALUE}).")
    Duration scaleDownStabilization;

    @Option(names = "--behavior", paramLabel = "YAML",
            description = "spec.behavior as YAML (or a whole HorizontalPodAutoscaler manifest); without it, HPA's "
                    + "behavior-less rules apply.")
    Path behavior;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HpaSettings settings;
        List<Point> series;
        try {
            settings = settings();
            String name = file == null || file.toString().equals("-") ? "<stdin>" : file.toString();
            try (Reader in = file == null || file.toString().equals("-")
                    ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                    : Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                series = Series.parse(name, new BufferedReader(in));
            }
        } catch (IllegalArgumentException e) {
            err.println("what-if: " + e.getMessage());
            err.flush();
            return Main.CONFIG_ERROR;
        } catch (IOException e) {
            err.println("what-if: cannot read " + e.getMessage());
            err.flush();
            return Main.CONFIG_ERROR;
        }

        HpaReplay hpa = new HpaReplay(settings, "metric", metricType, target, initialReplicas == null ? min : initialReplicas);
        Instant first = series.getFirst().at();
        Instant last = series.getLast().at();
        boolean seconds = series.getFirst().inSeconds();
        out.printf("%-24s %12s %8s %8s  %s%n", "time", "metric", "desired", "replicas", "reason");
        int next = 0;
        for (Instant now = first; !now.isAfter(last); now = now.plus(syncPeriod)) {
            while (next + 1 < series.size() && !series.get(next + 1).at().isAfter(now)) {
                next++;
            }
            Point point = series.get(next);
            Recommendation rec = hpa.sync(now, OptionalDouble.of(point.value()), point.ready());
            OptionalInt desired = rec.metricReplicas();
            out.printf("%-24s %12s %8s %8d  %s%n",
                    seconds ? Series.seconds(Duration.between(Instant.EPOCH, now)) : now.toString(),
                    Series.number(point.value()), desired.isPresent() ? Integer.toString(desired.getAsInt()) : "-",
                    rec.replicas(), rec.reason());
        }
        out.flush();
        return 0;
    }

    private HpaSettings settings() throws IOException {
        if (!(target > 0)) {
            throw new IllegalArgumentException("--target must be greater than 0, got " + target);
        }
        if (syncPeriod.isZero() || syncPeriod.isNegative()) {
            throw new IllegalArgumentException("--sync-period must be positive");
        }
        HpaSettings settings = new HpaSettings(min, max, tolerance, Optional.empty(), scaleDownStabilization);
        if (behavior == null) {
            return settings;
        }
        try (Reader yaml = Files.newBufferedReader(behavior, StandardCharsets.UTF_8)) {
            return settings.withBehavior(BehaviorYaml.read(behavior.toString(), yaml, scaleDownStabilization));
        }
    }

    /** One line of the series. */
    record Point(Instant at, boolean inSeconds, double value, OptionalInt ready) {
    }

    /** The CSV format: {@code time,value[,ready]}, an optional header line (first field starting "time"), {@code #} comments and blank lines. */
    static final class Series {
        private Series() {
        }

        static List<Point> parse(String name, BufferedReader in) throws IOException {
            List<Point> points = new ArrayList<>();
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] fields = trimmed.split(",", -1);
                if (points.isEmpty() && fields[0].strip().toLowerCase(Locale.ROOT).startsWith("time")) {
                    continue;
                }
                String where = name + ":" + lineNumber + ": ";
                if (fields.length < 2 || fields.length > 3) {
                    throw new IllegalArgumentException(where + "expected time,value or time,value,ready, got \"" + trimmed + "\"");
                }
                Point point = new Point(time(where, fields[0].strip()), isSeconds(fields[0].strip()),
                        value(where, fields[1].strip()), fields.length == 3 ? ready(where, fields[2].strip()) : OptionalInt.empty());
                if (!points.isEmpty()) {
                    Point previous = points.getLast();
                    if (previous.inSeconds() != point.inSeconds()) {
                        throw new IllegalArgumentException(where + "times mix seconds and RFC 3339");
                    }
                    if (!point.at().isAfter(previous.at())) {
                        throw new IllegalArgumentException(where + "time " + fields[0].strip() + " is not after the previous line's");
                    }
                }
                points.add(point);
            }
            if (points.isEmpty()) {
                throw new IllegalArgumentException(name + ": no samples");
            }
            return points;
        }

        private static boolean isSeconds(String time) {
            return !time.contains("T") && !time.contains("t");
        }

        private static Instant time(String where, String time) {
            if (isSeconds(time)) {
                double seconds = number(where, "time", time);
                return Instant.EPOCH.plusNanos(Math.round(seconds * 1e9));
            }
            try {
                return OffsetDateTime.parse(time).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(where + "time \"" + time + "\" is neither seconds nor RFC 3339");
            }
        }

        private static double value(String where, String value) {
            return number(where, "value", value);
        }

        private static OptionalInt ready(String where, String ready) {
            try {
                int count = Integer.parseInt(ready);
                if (count >= 0) {
                    return OptionalInt.of(count);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(where + "ready \"" + ready + "\" is not a pod count");
        }

        private static double number(String where, String what, String text) {
            try {
                double number = Double.parseDouble(text);
                if (Double.isFinite(number) && number >= 0) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(where + what + " \"" + text + "\" is not a non-negative number");
        }

        static String seconds(Duration sinceEpoch) {
            return number(sinceEpoch.toNanos() / 1e9);
        }

        static String number(double value) {
            return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
        }
    }

    static final class MetricTypeConverter implements picocli.CommandLine.ITypeConverter<TargetType> {
        @Override
        public TargetType convert(String value) {
            return switch (value) {
                case "value" -> TargetType.VALUE;
                case "average-value" -> TargetType.AVERAGE_VALUE;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "expected value or average-value, got \"" + value + "\"");
            };
        }
    }
}
