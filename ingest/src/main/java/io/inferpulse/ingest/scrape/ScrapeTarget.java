package io.inferpulse.ingest.scrape;

import io.inferpulse.ingest.engine.PodIdentity;
import java.net.URI;
import java.util.Objects;

/**
 * One model server to scrape: who it is, where its /metrics lives, how to scrape it and which
 * engine's metric names it speaks. One pod in several pools is several targets with one URL; the
 * scraper fetches such a URL once per interval for all of them.
 *
 * @param engine the engine name that picks the mapping, e.g. {@code vllm}
 */
public record ScrapeTarget(PodIdentity pod, URI url, ScrapeProfile profile, String engine) {
    /** The engine of a pod that does not say, as the inference gateway assumes. */
    public static final String DEFAULT_ENGINE = "vllm";

    public ScrapeTarget {
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(engine, "engine");
        if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException("scrape URL must be http(s)://host[:port]/path, was " + url);
        }
        if (engine.isBlank()) {
            throw new IllegalArgumentException("engine must not be blank");
        }
    }

    /**
     * A vLLM server scraped with {@link ScrapeProfile#defaults()}, which the scraper reads as its
     * {@link ScrapeSettings#defaultProfile()}.
     */
    public ScrapeTarget(PodIdentity pod, URI url) {
        this(pod, url, ScrapeProfile.defaults(), DEFAULT_ENGINE);
    }
}
