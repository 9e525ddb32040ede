package io.inferpulse.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.PromTextParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/** The pod and scrape the engine tests map, and their exposition files. */
final class Fixtures {

    static final PodIdentity POD = new PodIdentity("prod-eu", "llm", "qwen-pool", "qwen-5d8f-7hk2",
            "10.42.7.31:30000", Map.of("app", "qwen", Engines.ENGINE_LABEL, "sglang"));
    static final Instant SAMPLE_TIME = Instant.parse("2025-08-04T12:24:06.123Z");
    static final double SCRAPE_SECONDS = 0.017;

    private Fixtures() {
    }

    /** A file under src/test/resources, e.g. {@code /engine/sglang-tp2-metrics.prom}, parsed as received. */
    static Exposition resource(String path) {
        return PromTextParser.parse(bytes(path));
    }

    static byte[] bytes(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
            assertThat(in).as("test resource %s", path).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PodSample map(EngineMapping mapping, Exposition exposition) {
        return mapping.map(POD, exposition, SAMPLE_TIME, SCRAPE_SECONDS);
    }

    static PodSample map(EngineMapping mapping, String text) {
        return map(mapping, PromTextParser.parse(text));
    }
}
