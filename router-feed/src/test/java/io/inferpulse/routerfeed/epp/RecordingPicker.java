package io.inferpulse.routerfeed.epp;

import io.inferpulse.routerfeed.pick.PickRequest;
import io.inferpulse.routerfeed.pick.PickResult;
import io.inferpulse.routerfeed.pick.Picker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A picker that answers what the test tells it and remembers what it was asked and told: the protocol is under test, not picking. */
final class RecordingPicker implements Picker {
    record Finished(String poolKey, String endpoint) {}

    final List<PickRequest> asked = new CopyOnWriteArrayList<>();
    final List<Finished> finished = new CopyOnWriteArrayList<>();
    volatile PickResult answer = new PickResult.Picked(List.of("10.0.0.1:8000"));

    @Override
    public PickResult pick(PickRequest request) {
        asked.add(request);
        return answer;
    }

    @Override
    public void finished(String poolKey, String endpoint) {
        finished.add(new Finished(poolKey, endpoint));
    }
}
