package io.inferpulse.streams.alert;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.streams.rules.RuleFileException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertJobTest {
    @TempDir
    Path dir;

    @Test
    void shouldFailAtStartUpNamingTheFileAndLineOfABadRule() throws Exception {
        Path rules = Files.writeString(dir.resolve("bad.yaml"), """
                groups:
                - name: pools
                  rules:
                  - alert: QueueHigh
                    expr: inference_pool_average_queue_size >
                    for: 5m
                """);
        // Nothing listens on port 1: the rules must be judged before any connection is tried.
        AlertConfig config = AlertConfig.of(Map.of("kafka.bootstrap.servers", "127.0.0.1:1",
                "schema.registry.url", "http://127.0.0.1:1", "alerts.rules", rules.toString(),
                "streams.state.dir", dir.resolve("state").toString()));

        assertThatThrownBy(() -> AlertJob.spec(config, new SimpleMeterRegistry()))
                .isInstanceOf(RuleFileException.class)
                .hasMessageContaining("bad.yaml:5")
                .hasMessageContaining("QueueHigh");
    }
}
