package io.inferpulse.notifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A node of the routing tree, settings already inherited from its parent as Alertmanager does.
 *
 * @param key identifies the route in group keys: the parent's key, then this route's matchers
 * @param groupByAll {@code group_by: ['...']}: every label is a grouping label
 */
record Route(String key, String receiver, List<String> groupBy, boolean groupByAll, Duration groupWait,
             Duration groupInterval, Duration repeatInterval, List<LabelMatcher> matchers, boolean continueMatching,
             List<Route> routes) {
    Route {
        groupBy = List.copyOf(groupBy);
        matchers = List.copyOf(matchers);
        routes = List.copyOf(routes);
    }

    /**
     * The routes an alert goes to: the deepest matching children, depth first, stopping at the first
     * match unless it has {@code continue: true}; the node itself when no child matches.
     */
    List<Route> match(Map<String, String> labels) {
        if (!matchers.stream().allMatch(m -> m.matches(labels))) {
            return List.of();
        }
        List<Route> out = new ArrayList<>();
        for (Route child : routes) {
            List<Route> matched = child.match(labels);
            out.addAll(matched);
            if (!matched.isEmpty() && !child.continueMatching()) {
                break;
            }
        }
        return out.isEmpty() ? List.of(this) : out;
    }

    /** The labels that name an alert's group on this route. */
    Map<String, String> groupLabels(Map<String, String> labels) {
        if (groupByAll) {
            return new TreeMap<>(labels);
        }
        Map<String, String> out = new TreeMap<>();
        groupBy.forEach(name -> {
            if (labels.containsKey(name)) {
                out.put(name, labels.get(name));
            }
        });
        return out;
    }

    /** Alertmanager's group key: {@code {}/{severity="critical"}:{alertname="X"}}. */
    String groupKey(Map<String, String> groupLabels) {
        return key + ":" + labelSet(groupLabels);
    }

    /** {@code {a="1", b="2"}}, sorted by name as Alertmanager prints a label set, whatever map it came in. */
    static String labelSet(Map<String, String> labels) {
        return new TreeMap<>(labels).entrySet().stream()
                .map(e -> e.getKey() + "=\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
