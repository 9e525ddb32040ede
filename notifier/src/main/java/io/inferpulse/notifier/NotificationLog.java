package io.inferpulse.notifier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * What was last delivered per receiver integration and group, like Alertmanager's nflog: the
 * dispatcher asks it whether a group has news. Entries are written through to a compacted topic
 * (key {@link Notification#logKey()}, value JSON) and read back at start-up, so a restart does not
 * page again for groups already notified.
 */
final class NotificationLog {
    /** The last delivered notification of one group to one integration. */
    record Entry(Set<String> firing, Set<String> resolved, Instant sentAt) {
        Entry {
            firing = Set.copyOf(firing);
            resolved = Set.copyOf(resolved);
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final BiConsumer<String, String> writeThrough;

    /** @param writeThrough stores one entry durably (key, JSON), returning only when it is stored */
    NotificationLog(BiConsumer<String, String> writeThrough) {
        this.writeThrough = writeThrough;
    }

    Optional<Entry> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    void delivered(Notification n) {
        Entry e = new Entry(n.firing(), n.resolved(), n.at());
        writeThrough.accept(n.logKey(), toJson(e));
        entries.put(n.logKey(), e);
    }

    /** An entry read back from the topic at start-up; a null value is a deleted entry. */
    void restore(String key, String json) {
        if (json == null) {
            entries.remove(key);
            return;
        }
        try {
            JsonNode node = HttpSender.JSON.readTree(json);
            entries.put(key, new Entry(strings(node.get("firing")), strings(node.get("resolved")),
                    Instant.parse(node.get("sentAt").asText())));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException("Notification log entry " + key + " is not readable: " + e.getMessage(), e);
        }
    }

    int size() {
        return entries.size();
    }

    static String toJson(Entry e) {
        ObjectNode node = HttpSender.JSON.createObjectNode();
        node.set("firing", HttpSender.JSON.valueToTree(new TreeSet<>(e.firing())));
        node.set("resolved", HttpSender.JSON.valueToTree(new TreeSet<>(e.resolved())));
        node.put("sentAt", e.sentAt().toString());
        return node.toString();
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
