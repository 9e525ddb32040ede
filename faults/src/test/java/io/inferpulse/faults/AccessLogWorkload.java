package io.inferpulse.faults;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Gateway requests generated from a fixed seed: the same list for every run of a scenario, placed in
 * time relative to a run's start ({@code base}), so that an uninterrupted run and a faulted one see
 * the same requests at the same offsets in event time. Requests complete in time order, one every
 * {@code duration / count}.
 */
record AccessLogWorkload(List<Request> requests, Duration duration) {
    static final String CLUSTER = "faults";
    static final String NAMESPACE = "default";
    private static final List<String> POOLS = List.of("pool-a", "pool-b", "pool-c");
    private static final List<String> MODELS = List.of("llama3-8b", "mistral-7b");

    /** One request: when it completed after the run's base, where it went and how it went. */
    record Request(int id, long completedAfterMs, String pool, String model, String target, int status, long latencyMs,
                   long inputTokens, long outputTokens) {

        String poolKey() {
            return Topics.poolKey(CLUSTER, NAMESPACE, pool);
        }

        String requestId() {
            return "req-" + id;
        }

        Instant completedAt(Instant base) {
            return base.plusMillis(completedAfterMs);
        }

        /** The request as Envoy Gateway's JSON access log writes it, under the given request id. */
        String toEnvoyJson(Instant base, String requestId) {
            return "{\"start_time\":\"" + completedAt(base).minusMillis(latencyMs) + "\",\"response_code\":" + status
                    + ",\"duration\":" + latencyMs + ",\"x-request-id\":\"" + requestId + "\",\"pool\":\"" + pool
                    + "\",\"model\":\"" + model + "\"}";
        }

        AccessLog toAvro(Instant base) {
            return AccessLog.newBuilder()
                    .setRequestTime(completedAt(base).minusMillis(latencyMs))
                    .setCluster(CLUSTER).setNamespace(NAMESPACE).setPool(pool)
                    .setModelName(model).setTargetModelName(target)
                    .setStatus(status).setLatencySeconds(latencyMs / 1000.0)
                    .setInputTokens(inputTokens).setOutputTokens(outputTokens)
                    .setRequestBytes(null).setResponseBytes(null).setEndpoint(null)
                    .setProxyStatus(null).setStatusDetails(null).setResponseFlags(null)
                    .setRequestId(requestId()).setSourceFormat("faults")
                    .build();
        }
    }

    static AccessLogWorkload generate(long seed, int count, Duration duration) {
        Random random = new Random(seed);
        List<Request> requests = new ArrayList<>(count);
        long periodMicros = duration.toNanos() / 1000 / count;
        for (int i = 0; i < count; i++) {
            String model = MODELS.get(random.nextInt(MODELS.size()));
            // One in three requests is split to a LoRA target, so model/target series exist too.
            String target = random.nextInt(3) == 0 ? model + "-lora-" + random.nextInt(2) : "";
            int status = random.nextInt(100) < 4 ? 503 : 200;
            long latencyMs = 50 + (long) (-Math.log(1 - random.nextDouble()) * 800);
            requests.add(new Request(i, i * periodMicros / 1000, POOLS.get(random.nextInt(POOLS.size())), model, target,
                    status, latencyMs, 20 + random.nextInt(2000), 1 + random.nextInt(500)));
        }
        return new AccessLogWorkload(List.copyOf(requests), duration);
    }

    int size() {
        return requests.size();
    }

    /** Distinct pool keys and model names of the workload, for the expected outputs. */
    static List<String> pools() {
        return POOLS;
    }
}
