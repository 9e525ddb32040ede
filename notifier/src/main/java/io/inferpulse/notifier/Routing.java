package io.inferpulse.notifier;

import java.util.Map;

/** The routing tree and the receivers it names, as loaded from the routing file. */
record Routing(Route root, Map<String, Receiver> receivers) {
    Routing {
        receivers = Map.copyOf(receivers);
    }

    Receiver receiver(String name) {
        Receiver r = receivers.get(name);
        if (r == null) {
            throw new IllegalStateException("Route names receiver '" + name + "', which the loader should have rejected");
        }
        return r;
    }
}
