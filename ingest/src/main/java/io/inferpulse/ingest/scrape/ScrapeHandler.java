package io.inferpulse.ingest.scrape;

import io.inferpulse.ingest.engine.EngineMapping;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.ingest.promtext.Exposition;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What becomes of a target's scrapes. Called from scrape threads, several targets at once, but
 * never concurrently for one target, and never with a scrape of a target after its {@link #gone}.
 * A call should not block: scrapes of targets sharing the URL wait for it.
 */
public interface ScrapeHandler {

    /**
     * A successful scrape. One exposition is handed to every target with the same URL and profile.
     *
     * @param sampleTime      when the body had arrived
     * @param durationSeconds fetch and parse time
     */
    void scraped(ScrapeTarget target, Exposition exposition, Instant sampleTime, double durationSeconds);

    /**
     * The target was dropped from the scraped set because its pod left (it is not called for a
     * target that only changed labels or profile, nor for one whose scrapes fail: that one keeps
     * its state and goes stale downstream). Called once, from {@link Scraper#setTargets}.
     */
    void gone(ScrapeTarget target, Instant at);

    /**
     * Maps each scrape with one engine mapping whatever the target's engine, and reports a gone
     * target as {@link PodSample#gone}: what ingest did before it had a catalogue of engines.
     */
    static ScrapeHandler mapping(EngineMapping mapping, Consumer<PodSample> sink) {
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(sink, "sink");
        return new ScrapeHandler() {
            @Override
            public void scraped(ScrapeTarget target, Exposition exposition, Instant sampleTime, double durationSeconds) {
                sink.accept(mapping.map(target.pod(), exposition, sampleTime, durationSeconds));
            }

            @Override
            public void gone(ScrapeTarget target, Instant at) {
                sink.accept(PodSample.gone(target.pod(), mapping.engine(), at));
            }
        };
    }
}
