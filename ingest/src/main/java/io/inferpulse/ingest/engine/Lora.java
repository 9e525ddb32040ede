package io.inferpulse.ingest.engine;

import java.util.List;

/**
 * LoRA adapter state of a model server.
 *
 * @param maxLora         how many adapters the server can hold loaded at once
 * @param runningAdapters adapters serving running requests
 * @param waitingAdapters adapters needed by waiting requests
 */
public record Lora(int maxLora, List<String> runningAdapters, List<String> waitingAdapters) {

    public Lora {
        if (maxLora < 0) {
            throw new IllegalArgumentException("maxLora must be >= 0, got " + maxLora);
        }
        runningAdapters = List.copyOf(runningAdapters);
        waitingAdapters = List.copyOf(waitingAdapters);
    }
}
