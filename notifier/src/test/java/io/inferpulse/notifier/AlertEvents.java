package io.inferpulse.notifier;

import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.AlertState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Alert events as the evaluator writes them, with Prometheus's label fingerprint. */
final class AlertEvents {
    private AlertEvents() {}

    static AlertEvent firing(Map<String, String> labels, Instant startsAt, Instant now) {
        return event(labels, AlertState.FIRING, startsAt, now.plus(Duration.ofMinutes(4)), now);
    }

    static AlertEvent resolved(Map<String, String> labels, Instant startsAt, Instant now) {
        return event(labels, AlertState.RESOLVED, startsAt, now, now);
    }

    static AlertEvent pending(Map<String, String> labels, Instant now) {
        return event(labels, AlertState.PENDING, null, null, now);
    }

    static Alert alert(AlertEvent event) {
        return Alert.from(event).orElseThrow();
    }

    private static AlertEvent event(Map<String, String> labels, AlertState state, Instant startsAt, Instant endsAt, Instant now) {
        return AlertEvent.newBuilder()
                .setFingerprint(fingerprint(labels))
                .setAlertName(labels.getOrDefault("alertname", ""))
                .setState(state)
                .setLabels(Map.copyOf(labels))
                .setAnnotations(Map.of("title", labels.getOrDefault("alertname", "") + " on " + labels.getOrDefault("pool", "?"),
                        "description", "p99 above the limit"))
                .setValue(1.5)
                .setActiveAt(startsAt == null ? now : startsAt.minusSeconds(60))
                .setStartsAt(startsAt)
                .setEndsAt(endsAt)
                .setEvaluatedAt(now)
                .setGeneratorUrl("http://inferpulse.example/rules")
                .build();
    }

    /**
     * Prometheus's model.LabelSet fingerprint (what Alertmanager reports): FNV-1a 64 over the
     * label pairs sorted by name, each name and value followed by the byte 255.
     */
    static String fingerprint(Map<String, String> labels) {
        long hash = 0xcbf29ce484222325L;
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            for (String part : new String[] {e.getKey(), e.getValue()}) {
                for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
                    hash ^= b & 0xff;
                    hash *= 0x100000001b3L;
                }
                hash ^= 0xff;
                hash *= 0x100000001b3L;
            }
        }
        return String.format("%016x", hash);
    }
}
