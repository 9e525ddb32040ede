package io.inferpulse.routerfeed.epp;

import io.inferpulse.runtime.config.ConfigParser;
import io.inferpulse.runtime.config.ConfigParsers;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * InferenceObjective priorities by objective name. GIE v1 names the objective of a request in the
 * {@code x-gateway-inference-objective} header; the objective's {@code spec.priority} applies, and a
 * request whose objective is absent, unknown or has no priority gets 0 (GIE's director default).
 * A negative priority marks the request sheddable.
 */
public record Objectives(Map<String, Integer> priorities) {

    /** {@code name=priority[,name=priority...]}, e.g. {@code premium=10,batch=-1}; empty for none. */
    public static final ConfigParser<Objectives> PARSER = text -> {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String item : ConfigParsers.LIST.parse(text)) {
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                throw new IllegalArgumentException("'" + item + "' is not name=priority (e.g. premium=10 or batch=-1)");
            }
            String name = item.substring(0, eq).strip();
            int priority;
            try {
                priority = Integer.parseInt(item.substring(eq + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + item + "': the priority of " + name + " is not an integer");
            }
            if (out.put(name, priority) != null) {
                throw new IllegalArgumentException("objective " + name + " is listed twice");
            }
        }
        return new Objectives(out);
    };

    public static final Objectives NONE = new Objectives(Map.of());

    public Objectives {
        priorities = Map.copyOf(priorities);
    }

    /** The priority of requests naming {@code objective}; 0 for null (no header) or an objective not listed. */
    public int priorityOf(String objective) {
        return objective == null ? 0 : priorities.getOrDefault(objective, 0);
    }
}
