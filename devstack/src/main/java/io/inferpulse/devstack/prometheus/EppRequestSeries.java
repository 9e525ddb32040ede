package io.inferpulse.devstack.prometheus;

import io.inferpulse.devstack.prometheus.RuleTestFile.InputSeries;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raw requests turned into the per-request series Prometheus would have scraped from the EPP
 * (gateway-api-inference-extension {@code pkg/epp/metrics}, names before v1.1):
 * {@value #REQUEST_TOTAL}, {@value #REQUEST_ERROR_TOTAL} (with the EPP's {@code error_code}
 * label, here the status) and the histogram {@value #DURATION} with the EPP's buckets, its
 * {@code _sum} and {@code _count}; labels {@code model_name} and {@code target_model_name}.
 *
 * <p>Every series counts a request when it completes (received + latency), at the first scrape at
 * or after that instant. The EPP observes the latency when the response completes; counting the
 * request and its error then too keeps {@code _count} equal to {@value #REQUEST_TOTAL}, as an
 * access log (written at completion) sees them. A series is absent until its first request
 * completes, as a client_golang vector exposes a child only once it is used. Requests completing
 * after the last scrape are not seen; those completing before the first are in every scrape.
 */
public final class EppRequestSeries {
    public static final String REQUEST_TOTAL = "inference_model_request_total";
    public static final String REQUEST_ERROR_TOTAL = "inference_model_request_error_total";
    public static final String DURATION = "inference_model_request_duration_seconds";

    /** The EPP's request-duration bucket bounds in seconds (without +Inf). */
    public static final List<Double> DURATION_BUCKETS = List.of(0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0,
            1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 120.0, 180.0, 240.0, 300.0,
            360.0, 480.0, 600.0, 900.0, 1200.0, 1800.0, 2700.0, 3600.0);

    private EppRequestSeries() {
    }

    /** One request as the gateway saw it; {@code error} requests count in the error counter too. */
    public record Request(Instant receivedAt, String modelName, String targetModelName, int status,
                          double latencySeconds, boolean error) {
        public Request {
            if (modelName == null || targetModelName == null) {
                throw new IllegalArgumentException("request at " + receivedAt + ": model_name and target_model_name are required");
            }
            if (!(latencySeconds >= 0) || Double.isInfinite(latencySeconds)) {
                throw new IllegalArgumentException("request at " + receivedAt + " for " + modelName
                        + ": latency must be a finite number of seconds >= 0, got " + latencySeconds);
            }
        }

        public Instant completedAt() {
            return receivedAt.plusNanos(Math.round(latencySeconds * 1e9));
        }
    }

    /** The {@code le} label as client_golang writes a bound: shortest decimal, no exponent. */
    public static String le(double bound) {
        return Double.isInfinite(bound) ? "+Inf" : BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    /** Every series the EPP would have exposed, sampled at each scrape of {@code schedule}. */
    public static List<InputSeries> scrape(List<Request> requests, ScrapeSchedule schedule) {
        Map<List<String>, Model> models = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
                .thenComparing(k -> k.get(1)));
        for (Request request : requests) {
            int scrape = schedule.firstAtOrAfter(request.completedAt());
            if (scrape < schedule.count()) {
                models.computeIfAbsent(List.of(request.modelName(), request.targetModelName()),
                        k -> new Model(schedule.count())).add(scrape, request);
            }
        }
        List<InputSeries> series = new ArrayList<>();
        models.forEach((key, model) -> model.series(key.get(0), key.get(1), series));
        return series;
    }

    /** Per-scrape increments of one model/target pair, summed into cumulative series at the end. */
    private static final class Model {
        private final int scrapes;
        private final double[] total;
        private final double[] sum;
        private final double[][] buckets;
        private final Map<Integer, double[]> errors = new TreeMap<>();

        Model(int scrapes) {
            this.scrapes = scrapes;
            this.total = new double[scrapes];
            this.sum = new double[scrapes];
            this.buckets = new double[DURATION_BUCKETS.size() + 1][scrapes];
        }

        void add(int scrape, Request request) {
            total[scrape]++;
            sum[scrape] += request.latencySeconds();
            for (int b = 0; b < DURATION_BUCKETS.size(); b++) {
                if (request.latencySeconds() <= DURATION_BUCKETS.get(b)) {
                    buckets[b][scrape]++;
                }
            }
            buckets[DURATION_BUCKETS.size()][scrape]++;
            if (request.error()) {
                errors.computeIfAbsent(request.status(), s -> new double[scrapes])[scrape]++;
            }
        }

        void series(String model, String target, List<InputSeries> out) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("model_name", model);
            labels.put("target_model_name", target);
            out.add(cumulative(REQUEST_TOTAL, labels, total));
            errors.forEach((status, counts) -> {
                Map<String, String> errorLabels = new LinkedHashMap<>(labels);
                errorLabels.put("error_code", Integer.toString(status));
                out.add(cumulative(REQUEST_ERROR_TOTAL, errorLabels, counts));
            });
            for (int b = 0; b <= DURATION_BUCKETS.size(); b++) {
                Map<String, String> bucketLabels = new LinkedHashMap<>(labels);
                bucketLabels.put("le", le(b < DURATION_BUCKETS.size() ? DURATION_BUCKETS.get(b) : Double.POSITIVE_INFINITY));
                // the histogram's series appear together, with its first observation
                out.add(cumulative(DURATION + "_bucket", bucketLabels, buckets[b], total));
            }
            out.add(cumulative(DURATION + "_sum", labels, sum, total));
            out.add(cumulative(DURATION + "_count", labels, total));
        }

        private static InputSeries cumulative(String name, Map<String, String> labels, double[] increments) {
            return cumulative(name, labels, increments, increments);
        }

        /** Running totals of {@code increments}, exposed from the first scrape where {@code appearance} counts. */
        private static InputSeries cumulative(String name, Map<String, String> labels, double[] increments,
                                              double[] appearance) {
            double[] samples = new double[increments.length];
            boolean[] exposed = new boolean[increments.length];
            double running = 0;
            boolean seen = false;
            for (int k = 0; k < increments.length; k++) {
                running += increments[k];
                seen |= appearance[k] > 0;
                samples[k] = running;
                exposed[k] = seen;
            }
            return InputSeries.of(name, labels, ScrapeSchedule.encode(samples, exposed));
        }
    }
}
