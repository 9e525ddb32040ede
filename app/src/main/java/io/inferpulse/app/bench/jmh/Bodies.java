package io.inferpulse.app.bench.jmh;

import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.devstack.fleet.FleetSimulator;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;

/** The /metrics bodies the benchmarks parse, made once per trial in their setup. */
public final class Bodies {
    private Bodies() {}

    /**
     * A vLLM /metrics body as the simulated fleet serves it: one pod, after a minute of simulated
     * load so that counters and histogram buckets hold realistic, multi-digit values.
     */
    public static byte[] vllm() throws IOException, InterruptedException {
        FleetConfig config = FleetConfig.builder().pools(1).podsPerPool(1).manualTime().build();
        try (FleetSimulator fleet = new FleetSimulator(config, line -> {});
             HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            fleet.start();
            fleet.advance(Duration.ofSeconds(60));
            HttpRequest request = HttpRequest.newBuilder(fleet.endpoints().get(0).metricsUri())
                    .timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("GET " + request.uri() + " answered " + response.statusCode());
            }
            return response.body();
        }
    }

    /**
     * A large exposition in the Prometheus text format: {@value #GAUGE_FAMILIES} gauges and
     * {@value #COUNTER_FAMILIES} counters of {@value #SERIES} series each, and
     * {@value #HISTOGRAM_FAMILIES} histograms of 4 series with 12 buckets, with HELP and TYPE lines
     * and 3 to 4 labels per series (some with escapes): 200 families and 4,800 samples in 662,859
     * bytes, the size of a busy node exporter or a multi-model server. Deterministic (fixed seed).
     */
    static byte[] synthetic() {
        SplittableRandom random = new SplittableRandom(42);
        StringBuilder out = new StringBuilder(1 << 20);
        String[] models = new String[SERIES];
        for (int i = 0; i < SERIES; i++) {
            models[i] = "meta-llama/Llama-3.1-8B-Instruct-lora-" + i;
        }
        for (int f = 0; f < GAUGE_FAMILIES + COUNTER_FAMILIES; f++) {
            boolean counter = f >= GAUGE_FAMILIES;
            String name = (counter ? "inference_engine_events_" + f + "_total" : "inference_engine_gauge_" + f);
            header(out, name, counter ? "counter" : "gauge", f);
            for (int s = 0; s < SERIES; s++) {
                out.append(name).append("{model_name=\"").append(models[s])
                        .append("\",engine=\"").append(s % 2)
                        .append("\",zone=\"us-east1-").append((char) ('b' + s % 3)).append('"');
                if (s % 5 == 0) {
                    out.append(",note=\"path \\\"C:\\\\tmp\\\"\\nline two\"");
                }
                out.append("} ");
                value(out, random, counter);
                out.append('\n');
            }
        }
        double[] bounds = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0};
        for (int f = 0; f < HISTOGRAM_FAMILIES; f++) {
            String name = "inference_engine_latency_" + f + "_seconds";
            header(out, name, "histogram", f);
            for (int s = 0; s < 4; s++) {
                String labels = "model_name=\"" + models[s] + "\",engine=\"" + (s % 2) + "\"";
                long cumulative = 0;
                for (int b = 0; b <= bounds.length; b++) {
                    cumulative += random.nextInt(5_000);
                    out.append(name).append("_bucket{").append(labels).append(",le=\"")
                            .append(b < bounds.length ? Double.toString(bounds[b]) : "+Inf").append("\"} ")
                            .append(cumulative).append(".0\n");
                }
                out.append(name).append("_sum{").append(labels).append("} ")
                        .append(random.nextDouble() * cumulative).append('\n');
                out.append(name).append("_count{").append(labels).append("} ").append(cumulative).append(".0\n");
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static final int GAUGE_FAMILIES = 80;
    static final int COUNTER_FAMILIES = 100;
    static final int HISTOGRAM_FAMILIES = 20;
    static final int SERIES = 20;

    private static void header(StringBuilder out, String name, String type, int f) {
        out.append("# HELP ").append(name).append(" Synthetic ").append(type).append(" number ").append(f)
                .append(" of the benchmark exposition.\n");
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void value(StringBuilder out, SplittableRandom random, boolean counter) {
        switch (random.nextInt(8)) {
            case 0 -> out.append("NaN");
            case 1 -> out.append(random.nextDouble() * 1e9);            // 1.2345678901234E8 style
            case 2 -> out.append(random.nextInt(1_000)).append(".0");
            default -> out.append(counter ? random.nextLong(1L << 40) + ".0" : Double.toString(random.nextDouble()));
        }
    }
}
