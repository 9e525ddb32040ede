package io.inferpulse.notifier;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One message for one integration of a receiver: the alerts of a group as they were at a flush, or
 * a single alert forwarded as it arrived (to Alertmanager).
 *
 * @param logKey the notification-log entry it updates when delivered: receiver, integration, group
 * @param tickets the input records it carries; released once it is delivered or dead-lettered
 */
record Notification(Target target, String groupKey, Map<String, String> groupLabels, List<Alert> alerts,
                    Set<String> firing, Set<String> resolved, Instant at, List<OffsetTracker.Ticket> tickets) {
    Notification {
        groupLabels = Map.copyOf(groupLabels);
        alerts = List.copyOf(alerts);
        firing = Set.copyOf(firing);
        resolved = Set.copyOf(resolved);
        tickets = List.copyOf(tickets);
    }

    /** One integration of a named receiver, e.g. the second webhook of {@code team-a}. */
    record Target(String receiver, int index, Integration integration) {
        String name() {
            return receiver + "/" + integration.kind() + "[" + index + "]";
        }
    }

    String logKey() {
        return target.name() + "/" + groupKey;
    }

    boolean isFiring() {
        return !firing.isEmpty();
    }

    List<Alert> firingAlerts() {
        return alerts.stream().filter(a -> firing.contains(a.fingerprint())).toList();
    }

    List<Alert> resolvedAlerts() {
        return alerts.stream().filter(a -> resolved.contains(a.fingerprint())).toList();
    }

    /** Labels every alert shares, as Alertmanager's commonLabels. */
    Map<String, String> commonLabels() {
        return common(alerts.stream().map(Alert::labels).toList());
    }

    Map<String, String> commonAnnotations() {
        return common(alerts.stream().map(Alert::annotations).toList());
    }

    private static Map<String, String> common(List<Map<String, String>> maps) {
        if (maps.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new java.util.TreeMap<>(maps.get(0));
        maps.forEach(m -> out.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey()))));
        return out;
    }
}
