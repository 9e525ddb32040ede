package io.inferpulse.notifier;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A channel that keeps what it was sent, for tests of grouping (no HTTP involved). */
final class RecordingIntegration implements Integration {
    final List<Notification> received = new CopyOnWriteArrayList<>();
    private final boolean grouped;
    private final boolean sendResolved;

    RecordingIntegration(boolean grouped, boolean sendResolved) {
        this.grouped = grouped;
        this.sendResolved = sendResolved;
    }

    @Override
    public String kind() {
        return grouped ? "recording" : "alertmanager";
    }

    @Override
    public boolean grouped() {
        return grouped;
    }

    @Override
    public boolean sendResolved() {
        return sendResolved;
    }

    @Override
    public Response send(Notification notification) {
        received.add(notification);
        return new Response(200, "", Optional.empty());
    }
}
