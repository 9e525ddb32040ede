package io.inferpulse.ingest.engine;

import io.inferpulse.ingest.promtext.Exposition;
import java.time.Instant;

/** Turns one engine's /metrics exposition into an engine-neutral {@link PodSample}. */
public interface EngineMapping {

    /** The engine name recorded in {@link PodSample#engine()}, e.g. {@code vllm}. */
    String engine();

    /**
     * Maps a scrape. Metrics the exposition lacks become empty values, never an error, so that a
     * server on another version still yields the values it does report.
     */
    PodSample map(PodIdentity who, Exposition exposition, Instant sampleTime, double scrapeDurationSeconds);
}
