package io.inferpulse.notifier;

import java.util.List;
import java.util.stream.IntStream;

/** A named receiver of the routing file and its integrations. */
record Receiver(String name, List<Integration> integrations) {
    Receiver {
        integrations = List.copyOf(integrations);
    }

    List<Notification.Target> targets() {
        return IntStream.range(0, integrations.size())
                .mapToObj(i -> new Notification.Target(name, i, integrations.get(i))).toList();
    }
}
