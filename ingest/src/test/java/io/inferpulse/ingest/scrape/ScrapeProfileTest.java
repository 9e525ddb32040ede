package io.inferpulse.ingest.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.ingest.engine.PodIdentity;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScrapeProfileTest {

    @Test
    void shouldDefaultToEverySecondWithoutCredentials() {
        ScrapeProfile defaults = ScrapeProfile.defaults();

        assertThat(defaults.interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.bearerTokenFile()).isEmpty();
        assertThat(defaults.caFile()).isEmpty();
        assertThat(defaults.insecureSkipVerify()).isFalse();
    }

    @Test
    void shouldAcceptFiftyMillisecondsAndRejectLess() {
        assertThat(ScrapeProfile.defaults().withInterval(Duration.ofMillis(50)).interval()).isEqualTo(Duration.ofMillis(50));
        assertThatThrownBy(() -> ScrapeProfile.defaults().withInterval(Duration.ofMillis(49)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 50 ms");
    }

    @Test
    void shouldRejectATimeoutLongerThanTheInterval() {
        assertThatThrownBy(() -> ScrapeProfile.defaults().withTimeout(Duration.ofMillis(1001)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most the scrape interval");
        assertThatThrownBy(() -> ScrapeProfile.defaults().withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldGiveATargetMadeFromPodAndUrlTheDefaultsAndVllm() {
        ScrapeTarget target = new ScrapeTarget(new PodIdentity("c", "ns", "pool", "pod", "10.0.0.1:8000", Map.of()),
                URI.create("http://10.0.0.1:8000/metrics"));

        assertThat(target.profile()).isEqualTo(ScrapeProfile.defaults());
        assertThat(target.engine()).isEqualTo("vllm");
    }

    @Test
    void shouldRejectATargetUrlThatIsNotHttp() {
        PodIdentity pod = new PodIdentity("c", "ns", "pool", "pod", "10.0.0.1:8000", Map.of());

        assertThatThrownBy(() -> new ScrapeTarget(pod, URI.create("ftp://10.0.0.1/metrics")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)");
    }
}
