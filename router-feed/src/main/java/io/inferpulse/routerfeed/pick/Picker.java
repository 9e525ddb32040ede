package io.inferpulse.routerfeed.pick;

/**
 * Chooses an endpoint of a pool for a request, from the endpoint table's current snapshot. Safe to
 * call from many threads at once; a pick takes no lock.
 */
public interface Picker {

    PickResult pick(PickRequest request);

    /**
     * The request the picker sent to {@code endpoint} has finished (its response completed or its
     * stream ended). Releases the in-flight slot that per-endpoint in-flight limits count; call it
     * once per {@link PickResult.Picked}, with the endpoint the request actually went to.
     */
    void finished(String poolKey, String endpoint);
}
