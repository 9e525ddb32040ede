package io.inferpulse.notifier;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Groups alerts per route and grouping labels and decides when a group is notified, as
 * Alertmanager's dispatcher and dedup stage do: first after {@code group_wait}, then at most every
 * {@code group_interval} when the group changed, and after {@code repeat_interval} when it did not;
 * resolved alerts are notified once and then dropped from the group. Time is passed in; the
 * caller runs {@link #flush} regularly. Not thread-safe: one thread drives it.
 */
final class Dispatcher {
    private final Routing routing;
    private final NotificationLog log;
    private final Map<String, Group> groups = new LinkedHashMap<>();

    private static final class Group {
        final Route route;
        final Receiver receiver;
        final String key;
        final Map<String, String> labels;
        final Map<String, Slot> alerts = new LinkedHashMap<>();
        Instant next;

        Group(Route route, Receiver receiver, String key, Map<String, String> labels, Instant next) {
            this.route = route;
            this.receiver = receiver;
            this.key = key;
            this.labels = labels;
            this.next = next;
        }
    }

    /** The newest state of one alert in a group, with the record it came from while that is undelivered. */
    private record Slot(Alert alert, OffsetTracker.Ticket ticket) {}

    Dispatcher(Routing routing, NotificationLog log) {
        this.routing = routing;
        this.log = log;
    }

    /**
     * Takes one alert event. Groups hold the record's ticket until a flush hands it to the
     * notifications that carry it; receivers that do not group get a notification at once.
     *
     * @return the notifications to deliver now
     */
    List<Notification> receive(Alert alert, OffsetTracker.Ticket ticket, Instant now) {
        List<Notification> out = new ArrayList<>();
        for (Route route : routing.root().match(alert.labels())) {
            Receiver receiver = routing.receiver(route.receiver());
            List<Notification.Target> targets = receiver.targets();
            for (Notification.Target target : targets) {
                if (!target.integration().grouped()) {
                    ticket.hold();
                    Set<String> fp = Set.of(alert.fingerprint());
                    boolean resolved = alert.resolvedAt(now);
                    out.add(new Notification(target, route.groupKey(route.groupLabels(alert.labels())),
                            route.groupLabels(alert.labels()), List.of(alert), resolved ? Set.of() : fp,
                            resolved ? fp : Set.of(), now, List.of(ticket)));
                }
            }
            if (targets.stream().noneMatch(t -> t.integration().grouped())) {
                continue;
            }
            Map<String, String> labels = route.groupLabels(alert.labels());
            String key = route.groupKey(labels);
            Group group = groups.get(receiver.name() + "/" + key);
            if (group == null) {
                if (alert.resolvedAt(now)) {
                    // Alertmanager's groups never hear of an alert that resolved before it was seen firing.
                    continue;
                }
                group = new Group(route, receiver, key, labels, now.plus(route.groupWait()));
                groups.put(receiver.name() + "/" + key, group);
            }
            ticket.hold();
            Slot previous = group.alerts.put(alert.fingerprint(), new Slot(alert, ticket));
            if (previous != null && previous.ticket() != null) {
                previous.ticket().release();
            }
        }
        return out;
    }

    /** A deleted alert (tombstone) leaves every group; nothing is sent for it. */
    void forget(String fingerprint) {
        groups.values().forEach(g -> {
            Slot s = g.alerts.remove(fingerprint);
            if (s != null && s.ticket() != null) {
                s.ticket().release();
            }
        });
        groups.values().removeIf(g -> g.alerts.isEmpty());
    }

    /** Flushes every group whose timer is due. */
    List<Notification> flush(Instant now) {
        List<Notification> out = new ArrayList<>();
        for (Group g : List.copyOf(groups.values())) {
            if (!g.next.isAfter(now)) {
                out.addAll(flush(g, now));
            }
        }
        return out;
    }

    /** When the next group is due, for the caller's sleep. */
    Instant nextDue(Instant otherwise) {
        return groups.values().stream().map(g -> g.next).min(Instant::compareTo).orElse(otherwise);
    }

    int groupCount() {
        return groups.size();
    }

    private List<Notification> flush(Group g, Instant now) {
        Set<String> firing = new LinkedHashSet<>();
        Set<String> resolved = new LinkedHashSet<>();
        List<Alert> alerts = new ArrayList<>();
        List<OffsetTracker.Ticket> tickets = new ArrayList<>();
        for (Slot s : g.alerts.values()) {
            alerts.add(s.alert());
            (s.alert().resolvedAt(now) ? resolved : firing).add(s.alert().fingerprint());
            if (s.ticket() != null) {
                tickets.add(s.ticket());
            }
        }
        List<Notification> out = new ArrayList<>();
        for (Notification.Target target : g.receiver.targets()) {
            if (!target.integration().grouped()) {
                continue;
            }
            boolean sendResolved = target.integration().sendResolved();
            Notification n = new Notification(target, g.key, g.labels,
                    sendResolved ? alerts : alerts.stream().filter(a -> firing.contains(a.fingerprint())).toList(),
                    firing, sendResolved ? resolved : Set.of(), now, tickets);
            if (needsUpdate(log.get(n.logKey()).orElse(null), firing, resolved, sendResolved, g.route, now)) {
                tickets.forEach(OffsetTracker.Ticket::hold);
                out.add(n);
            }
        }
        tickets.forEach(OffsetTracker.Ticket::release);
        g.alerts.replaceAll((fp, s) -> new Slot(s.alert(), null));
        g.alerts.keySet().removeAll(resolved);
        g.next = now.plus(g.route.groupInterval());
        if (g.alerts.isEmpty()) {
            groups.remove(g.receiver.name() + "/" + g.key);
        }
        return out;
    }

    /** Alertmanager's DedupStage.needsUpdate. */
    static boolean needsUpdate(NotificationLog.Entry last, Set<String> firing, Set<String> resolved, boolean sendResolved,
                               Route route, Instant now) {
        if (last == null) {
            return !firing.isEmpty();
        }
        if (!last.firing().containsAll(firing)) {
            return true;
        }
        if (firing.isEmpty()) {
            // All resolved: sent even without send_resolved, so the log forgets the firing set; not
            // sent when the receiver never heard of any of them.
            return !last.firing().isEmpty();
        }
        if (sendResolved && !last.resolved().containsAll(resolved)) {
            return true;
        }
        return !last.sentAt().isAfter(now.minus(route.repeatInterval()));
    }
}
