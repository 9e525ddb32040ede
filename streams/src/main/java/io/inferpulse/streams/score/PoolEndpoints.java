package io.inferpulse.streams.score;

import io.inferpulse.avro.EndpointHealth;
import io.inferpulse.avro.EndpointScore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One pool as its stream task holds it: the latest sample of each endpoint and the recent request
 * outcomes of each address, mirrored from the stores, and what was last published per endpoint.
 * Evaluating the pool scores its endpoints together, because scorers normalise across the pool's
 * healthy endpoints. Confined to the task's thread.
 */
final class PoolEndpoints {

    /** An endpoint's latest sample and the record last published for it; null before the first one. */
    static final class Tracked {
        private final String endpointKey;
        private final String storeKey;
        private EndpointSample sample;
        private Published published;

        private Tracked(String endpointKey, String storeKey, EndpointSample sample) {
            this.endpointKey = endpointKey;
            this.storeKey = storeKey;
            this.sample = sample;
        }

        String endpointKey() {
            return endpointKey;
        }

        String storeKey() {
            return storeKey;
        }

        EndpointSample sample() {
            return sample;
        }

        EndpointHealth publishedHealth() {
            return published == null ? null : published.health;
        }
    }

    /** An address's outcomes with their store key. */
    record Outcomes(String storeKey, RecentOutcomes outcomes) {}

    /** What a reader of the topic last got for an endpoint; parts null for an endpoint that is not HEALTHY. */
    private record Published(double score, double[] parts, EndpointHealth health, String address, List<String> adapters,
                             long sampleTimeMs, long expiresAtMs) {}

    /** Where evaluation results go. */
    @FunctionalInterface
    interface Publisher {
        /** @param before the health of the endpoint's previous record, null when there was none */
        void publish(Tracked endpoint, EndpointScore score, EndpointHealth before);
    }

    // Sorted by endpoint key, so a pool's records go out in the same order whatever order samples came in.
    private final Map<String, Tracked> endpoints = new TreeMap<>();
    private final Map<String, Outcomes> outcomes = new HashMap<>();
    private final Map<String, String> clusterLabels;

    PoolEndpoints(Map<String, String> clusterLabels) {
        this.clusterLabels = clusterLabels;
    }

    Tracked endpoint(String endpointKey) {
        return endpoints.get(endpointKey);
    }

    /** Records the endpoint's latest sample here only; the caller writes the store. */
    Tracked put(String endpointKey, String storeKey, EndpointSample sample) {
        Tracked tracked = endpoints.get(endpointKey);
        if (tracked == null) {
            tracked = new Tracked(endpointKey, storeKey, sample);
            endpoints.put(endpointKey, tracked);
        } else {
            tracked.sample = sample;
        }
        return tracked;
    }

    Tracked remove(String endpointKey) {
        return endpoints.remove(endpointKey);
    }

    /** The outcomes of an address, created empty under {@code storeKey} when there are none yet. */
    Outcomes outcomes(String address, String storeKey) {
        return outcomes.computeIfAbsent(address, a -> new Outcomes(storeKey, new RecentOutcomes()));
    }

    void putOutcomes(String address, Outcomes restored) {
        outcomes.put(address, restored);
    }

    /**
     * Drops, here and in the store, the buckets that ended at or before the window's start, and the
     * addresses left without any.
     */
    void expireOutcomes(long windowStartMs, long bucketMs, KeyValueStore<String, RecentOutcomes> store) {
        for (Iterator<Outcomes> it = outcomes.values().iterator(); it.hasNext(); ) {
            Outcomes recent = it.next();
            if (recent.outcomes().expire(windowStartMs, bucketMs)) {
                if (recent.outcomes().isEmpty()) {
                    store.delete(recent.storeKey());
                    it.remove();
                } else {
                    store.put(recent.storeKey(), recent.outcomes());
                }
            }
        }
    }

    /** Removes, here only, every endpoint whose latest sample is older than {@code oldestKeptMs}, and returns them. */
    List<Tracked> expire(long oldestKeptMs) {
        List<Tracked> expired = new ArrayList<>();
        for (Iterator<Tracked> it = endpoints.values().iterator(); it.hasNext(); ) {
            Tracked tracked = it.next();
            if (tracked.sample.sampleTimeMs() < oldestKeptMs) {
                expired.add(tracked);
                it.remove();
            }
        }
        return expired;
    }

    boolean isEmpty() {
        return endpoints.isEmpty() && outcomes.isEmpty();
    }

    Iterable<Tracked> endpoints() {
        return endpoints.values();
    }

    /**
     * Judges every endpoint's health, scores the healthy ones across the pool and hands the publisher
     * each record a reader would see differently from the last one (see docs/endpoint-scores.md,
     * "When a record is published").
     */
    void evaluate(long nowMs, ScoreSettings settings, List<Scorer> scorers, double[] weights, Publisher publisher) {
        long stalenessMs = settings.staleness().toMillis();
        long bucketMs = settings.requestBucket().toMillis();
        long windowStartMs = nowMs - settings.requestWindow().toMillis();
        int count = endpoints.size();
        Tracked[] all = endpoints.values().toArray(new Tracked[0]);
        EndpointHealth[] health = new EndpointHealth[count];
        int[] healthyIndex = new int[count];
        List<ScoreInput> inputs = new ArrayList<>(count);
        for (int e = 0; e < count; e++) {
            EndpointSample sample = all[e].sample;
            // Google's global load balancer may log the backend without its port: such requests count
            // for every endpoint of that IP, the best the log allows.
            Outcomes exact = outcomes.get(sample.address());
            Outcomes byIp = outcomes.get(sample.address().substring(0, sample.address().lastIndexOf(':')));
            long requests = requests(exact, windowStartMs, bucketMs) + requests(byIp, windowStartMs, bucketMs);
            long errors = errors(exact, windowStartMs, bucketMs) + errors(byIp, windowStartMs, bucketMs);
            if (nowMs - sample.sampleTimeMs() > stalenessMs) {
                health[e] = EndpointHealth.STALE;
            } else if (requests >= settings.minRequests() && (double) errors / requests >= settings.failingErrorRatio()) {
                health[e] = EndpointHealth.FAILING;
            } else {
                health[e] = EndpointHealth.HEALTHY;
                healthyIndex[e] = inputs.size();
                inputs.add(new ScoreInput(sample.waiting(), sample.running(), sample.kv(), sample.maxLora(),
                        sample.loraAdapters().size(), requests, errors,
                        latencySeconds(exact, windowStartMs, bucketMs) + latencySeconds(byIp, windowStartMs, bucketMs)));
            }
        }
        double[][] parts = new double[scorers.size()][inputs.size()];
        for (int s = 0; s < scorers.size(); s++) {
            scorers.get(s).score(inputs, parts[s]);
        }
        for (int e = 0; e < count; e++) {
            Tracked tracked = all[e];
            double score = 0;
            double[] own = null;
            if (health[e] == EndpointHealth.HEALTHY) {
                own = new double[scorers.size()];
                for (int s = 0; s < scorers.size(); s++) {
                    own[s] = parts[s][healthyIndex[e]];
                    score += weights[s] * own[s];
                }
            }
            EndpointSample sample = tracked.sample;
            Published next = new Published(score, own, health[e], sample.address(), sample.loraAdapters(),
                    sample.sampleTimeMs(), sample.sampleTimeMs() + stalenessMs);
            if (worthPublishing(tracked.published, next, nowMs, stalenessMs, settings.publishEpsilon())) {
                EndpointHealth before = tracked.publishedHealth();
                tracked.published = next;
                publisher.publish(tracked, toRecord(sample, next, scorers), before);
            }
        }
    }

    private static long requests(Outcomes recent, long windowStartMs, long bucketMs) {
        return recent == null ? 0 : recent.outcomes().requests(windowStartMs, bucketMs);
    }

    private static long errors(Outcomes recent, long windowStartMs, long bucketMs) {
        return recent == null ? 0 : recent.outcomes().errors(windowStartMs, bucketMs);
    }

    private static double latencySeconds(Outcomes recent, long windowStartMs, long bucketMs) {
        return recent == null ? 0 : recent.outcomes().latencySeconds(windowStartMs, bucketMs);
    }

    /**
     * A record goes out when a reader would see the endpoint differently, or when the last one is
     * about to expire while newer samples keep coming, so a healthy endpoint never looks stale to a
     * picker that checks {@code expires_at} itself.
     */
    private static boolean worthPublishing(Published last, Published next, long nowMs, long stalenessMs, double epsilon) {
        if (last == null || last.health != next.health || !last.address.equals(next.address)
                || !last.adapters.equals(next.adapters) || Math.abs(last.score - next.score) > epsilon) {
            return true;
        }
        if (last.parts != null && next.parts != null) {
            for (int s = 0; s < next.parts.length; s++) {
                if (Math.abs(last.parts[s] - next.parts[s]) > epsilon) {
                    return true;
                }
            }
        }
        return next.health == EndpointHealth.HEALTHY && next.sampleTimeMs > last.sampleTimeMs
                && nowMs >= last.expiresAtMs - stalenessMs / 2;
    }

    private EndpointScore toRecord(EndpointSample sample, Published published, List<Scorer> scorers) {
        Map<String, Double> parts = new LinkedHashMap<>();
        if (published.parts != null) {
            for (int s = 0; s < scorers.size(); s++) {
                parts.put(scorers.get(s).name(), published.parts[s]);
            }
        }
        return EndpointScore.newBuilder()
                .setCluster(sample.cluster())
                .setNamespace(sample.namespace())
                .setPool(sample.pool())
                .setPod(sample.pod())
                .setAddress(sample.address())
                .setScore(published.score)
                .setParts(parts)
                .setHealth(published.health)
                .setClusterLabels(clusterLabels)
                .setRequestsWaiting(sample.waiting() == null ? 0.0 : sample.waiting())
                .setRequestsRunning(sample.running() == null ? 0.0 : sample.running())
                .setKvCacheUsageRatio(sample.kv() == null ? 0.0 : sample.kv())
                .setLoraAdapters(sample.loraAdapters())
                .setSampleTime(Instant.ofEpochMilli(published.sampleTimeMs))
                .setExpiresAt(Instant.ofEpochMilli(published.expiresAtMs))
                .build();
    }
}
