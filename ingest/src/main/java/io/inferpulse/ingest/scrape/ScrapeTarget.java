package io.inferpulse.ingest.scrape;

import io.inferpulse.ingest.engine.PodIdentity;
import java.net.URI;
import java.util.Objects;

/** One model server to scrape: who it is and where its /metrics lives. */
public record ScrapeTarget(PodIdentity pod, URI url) {
    public ScrapeTarget {
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(url, "url");
    }

    /** The dead-letter key and log name of this target. */
    String source() {
        return "scrape:" + url;
    }
}
