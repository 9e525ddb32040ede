package io.inferpulse.app.routing;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * Request latency as the simulated gateway logs it, tallied from its access-log lines: the figures
 * routing is judged by. Quantiles from a DDSketch at 1 % relative accuracy, as the request-stats job
 * keeps them. Thread-safe: the simulation writes, a view or a report reads.
 */
public final class RoutingTally implements Consumer<String> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the tally shows at one moment; latencies in seconds, NaN when no request succeeded. */
    public record Figures(long requests, long errors, double p50, double p90, double p99, double max) {}

    private final DDSketch sketch = DDSketches.unboundedDense(0.01);
    private long requests;
    private long errors;
    private boolean counting = true;

    @Override
    public void accept(String line) {
        JsonNode http;
        try {
            http = JSON.readTree(line).path("httpRequest");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException("the simulated gateway wrote an access-log line that is not JSON: " + line, e);
        }
        int status = http.path("status").asInt(0);
        String latency = http.path("latency").asText("");
        synchronized (this) {
            if (!counting) {
                return;
            }
            requests++;
            if (status != 200) {
                errors++;
            } else if (latency.endsWith("s")) {
                sketch.accept(Double.parseDouble(latency.substring(0, latency.length() - 1)));
            } else {
                throw new IllegalArgumentException("access-log line without a latency like \"0.25s\": " + line);
            }
        }
    }

    /** Forgets what was counted so far: a run measures after its warm-up. */
    public synchronized void reset() {
        sketch.clear();
        requests = 0;
        errors = 0;
    }

    /** Stops counting, so two tallies compared at the end cover the same stretch of time. */
    public synchronized void stop() {
        counting = false;
    }

    public synchronized Figures figures() {
        if (sketch.isEmpty()) {
            return new Figures(requests, errors, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Figures(requests, errors, sketch.getValueAtQuantile(0.5), sketch.getValueAtQuantile(0.9),
                sketch.getValueAtQuantile(0.99), sketch.getMaxValue());
    }
}
