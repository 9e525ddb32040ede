package io.inferpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.ingest.scrape.ScrapeProfile;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.runtime.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestConfigTest {

    @Test
    void shouldReadStaticTargetsWithTheirOwnEngineAndInterval() {
        IngestConfig config = IngestConfig.of(Map.of(
                "cluster.name", "prod",
                "scrape.bearer.token.file", "/var/run/secrets/token",
                "scrape.targets", "llm/llama/llama-0=http://10.0.0.7:8000/metrics,"
                        + "llm/qwen/qwen-0=http://10.0.0.8:30000/metrics;engine=sglang;interval=250ms"));

        ScrapeTarget plain = config.targets().get(0);
        assertThat(plain.pod().cluster()).isEqualTo("prod");
        assertThat(plain.pod().pool()).isEqualTo("llama");
        assertThat(plain.pod().address()).isEqualTo("10.0.0.7:8000");
        assertThat(plain.engine()).isEqualTo("vllm");
        assertThat(plain.profile()).isEqualTo(ScrapeProfile.defaults());

        ScrapeTarget tuned = config.targets().get(1);
        assertThat(tuned.engine()).isEqualTo("sglang");
        assertThat(tuned.profile().interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(tuned.profile().timeout()).isEqualTo(Duration.ofMillis(250));
        // a target's own interval keeps the configured credentials
        assertThat(tuned.profile().bearerTokenFile()).hasValueSatisfying(p -> assertThat(p).hasToString("/var/run/secrets/token"));
    }

    @Test
    void shouldNameEveryBadTargetAndEngineSettingAtOnce() {
        assertThatThrownBy(() -> IngestConfig.of(Map.of(
                "scrape.targets", "a/b=http://x:1/metrics,a/b/c=http://x:2/metrics;engine=nope,a/b/d=ftp://x/metrics",
                "engines.tgi.waiting.metric", "tgi_queue_size",
                "accesslog.format", "nginx")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> assertThat(p).contains("'a/b=http://x:1/metrics'", "expected namespace/pool/pod"))
                        .anySatisfy(p -> assertThat(p).contains("unknown engine 'nope'"))
                        .anySatisfy(p -> assertThat(p).contains("ftp://x/metrics", "not an http(s) URL"))
                        .anySatisfy(p -> assertThat(p).startsWith("engines.tgi."))
                        .anySatisfy(p -> assertThat(p).contains("accesslog.format", "nginx")));
    }

    @Test
    void shouldKeepDiscoveryOffUnlessAskedAndCheckItsScheme() {
        assertThat(IngestConfig.of(Map.of()).discovery().enabled()).isFalse();
        IngestConfig.Discovery discovery = IngestConfig.of(Map.of("discovery.enabled", "true",
                "discovery.namespace", "llm", "discovery.scheme", "https")).discovery();
        assertThat(discovery.enabled()).isTrue();
        assertThat(discovery.namespace()).contains("llm");
        assertThat(discovery.scheme()).isEqualTo("https");
        assertThatThrownBy(() -> IngestConfig.of(Map.of("discovery.scheme", "grpc")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("discovery.scheme: 'grpc' is not http or https");
    }
}
