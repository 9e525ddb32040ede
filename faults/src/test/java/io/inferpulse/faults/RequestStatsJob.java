package io.inferpulse.faults;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.faults.AccessLogWorkload.Request;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The streams job ({@code inferpulse streams}) as the request-statistics scenarios run it: short
 * windows (10 s evaluated every 2 s, the default 5 s grace) so that a run ends seconds after its
 * input, and what they read of its outputs.
 */
final class RequestStatsJob {
    static final String APPLICATION_ID = "faults-pool-stats";
    static final Duration EVALUATION = Duration.ofSeconds(2);
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final Duration DEADLINE = Duration.ofMinutes(5);

    private RequestStatsJob() {}

    static Map<String, String> settings(Path stateDir, String guarantee) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("streams.application.id", APPLICATION_ID);
        settings.put("streams.state.dir", stateDir.toString());
        settings.put("requests.window", WINDOW.toSeconds() + "s");
        settings.put("requests.evaluation.interval", EVALUATION.toSeconds() + "s");
        settings.put("requests.grace", "5s");
        settings.put("errors.window", WINDOW.toSeconds() + "s");
        settings.put("streams.processing.guarantee", guarantee);
        if (guarantee.equals("at_least_once")) {
            // The default commit interval is 30 s; the short run commits every 5 s so its kill comes after a commit.
            settings.put("streams.commit.interval.ms", FaultSettings.pick("5000", "30000"));
        }
        // A killed instance stays in the group until its session times out (45 s by default); the short
        // run waits 10 s instead. The full run keeps the default.
        settings.put("streams.session.timeout.ms", FaultSettings.pick("10000", "45000"));
        return settings;
    }

    /** A run starts on an evaluation instant a moment from now: window ends after it are then comparable between runs. */
    static Instant alignedStart() {
        long step = EVALUATION.toMillis();
        return Instant.ofEpochMilli(Math.ceilDiv(System.currentTimeMillis() + 1000, step) * step);
    }

    /**
     * Every access log the job counted, from its model repartition topic, re-keyed by model; the
     * first stage's progress markers on that topic (records without value) left out.
     */
    static List<AccessLog> counted(KafkaIO io) {
        Topic<String, AccessLog> accessLogs = io.topics().accessLogs();
        Topic<String, AccessLog> repartition = new Topic<>(Topics.modelRequests(APPLICATION_ID),
                accessLogs.keySerde(), accessLogs.valueSerde());
        return io.readAll(repartition, Duration.ofSeconds(30)).stream().map(ConsumerRecord::value).filter(Objects::nonNull)
                .toList();
    }

    /** Waits until every model series has sent its last, empty window and every pool its last request statistics. */
    static void awaitLastWindows(KafkaIO io, AccessLogWorkload workload, Instant base) {
        Set<String> series = new HashSet<>();
        for (Request r : workload.requests()) {
            series.add(r.model());
            series.add(r.model() + "/" + (r.target().isEmpty() ? r.model() : r.target()));
        }
        Instant inputEnd = base.plus(workload.duration());
        Deadline.of(DEADLINE).until("every model-stats series and pool closes its last window", () -> {
            Map<String, ModelStats> last = new HashMap<>();
            io.readAll(io.topics().modelStats(), Duration.ofSeconds(30)).forEach(r -> last.put(r.key(), r.value()));
            Set<String> closed = last.entrySet().stream()
                    .filter(e -> e.getValue().getRequestCount() == 0 && !e.getValue().getWindowEnd().isBefore(inputEnd))
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            Map<String, PoolStats> latest = new HashMap<>();
            io.readAll(io.topics().poolStats(), Duration.ofSeconds(30)).forEach(r -> latest.put(r.key(), r.value()));
            boolean poolsClosed = AccessLogWorkload.pools().stream().allMatch(p -> {
                PoolStats s = latest.get(Topics.poolKey(AccessLogWorkload.CLUSTER, AccessLogWorkload.NAMESPACE, p));
                return s != null && s.getRequestRatePerSecond() != null && s.getRequestRatePerSecond() == 0.0;
            });
            return closed.containsAll(series) && poolsClosed;
        });
    }
}
