package io.inferpulse.ingest.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.ingest.engine.PodStatus;
import io.inferpulse.ingest.engine.VllmMapping;
import io.inferpulse.ingest.promtext.PromTextParser;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScrapeHandlerTest {
    private final ScrapeTarget target = ScraperTest.target(URI.create("http://10.0.0.7:8000/metrics"), "pool", "pod-0",
            ScrapeProfile.defaults());

    @Test
    void shouldMapAScrapeWithTheEngineMapping() {
        // given a handler mapping vLLM into a list
        List<PodSample> samples = new ArrayList<>();
        ScrapeHandler handler = ScrapeHandler.mapping(new VllmMapping(), samples::add);

        // when a scrape is handed to it
        Instant at = Instant.parse("2025-06-01T12:00:00Z");
        handler.scraped(target, PromTextParser.parse(FakeTarget.BODY), at, 0.012);

        // then the sample is the pod's, with the values, the time and the duration
        assertThat(samples).singleElement().satisfies(s -> {
            assertThat(s.pod()).isEqualTo("pod-0");
            assertThat(s.status()).isEqualTo(PodStatus.UP);
            assertThat(s.requestsWaiting()).hasValue(3.0);
            assertThat(s.requestsRunning()).hasValue(5.0);
            assertThat(s.sampleTime()).isEqualTo(at);
            assertThat(s.scrapeDurationSeconds()).isEqualTo(0.012);
        });
    }

    @Test
    void shouldPublishAGoneSampleForAGoneTarget() {
        // given a handler mapping vLLM into a list
        List<PodSample> samples = new ArrayList<>();
        ScrapeHandler handler = ScrapeHandler.mapping(new VllmMapping(), samples::add);

        // when the target is gone
        Instant at = Instant.parse("2025-06-01T12:00:01Z");
        handler.gone(target, at);

        // then a GONE sample for the pod, with no values, says so
        assertThat(samples).singleElement().satisfies(s -> {
            assertThat(s.pod()).isEqualTo("pod-0");
            assertThat(s.pool()).isEqualTo("pool");
            assertThat(s.engine()).isEqualTo("vllm");
            assertThat(s.status()).isEqualTo(PodStatus.GONE);
            assertThat(s.sampleTime()).isEqualTo(at);
            assertThat(s.requestsWaiting()).isEmpty();
        });
    }
}
