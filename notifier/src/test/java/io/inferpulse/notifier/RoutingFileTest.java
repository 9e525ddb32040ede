package io.inferpulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.runtime.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingFileTest {
    private static final String SLACK_SECRET = "https://hooks.slack.example/services/T000/B000/s3cr3tT0ken";

    @TempDir
    Path dir;

    private Routing load(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("routing.yml");
        Files.writeString(file, yaml);
        return RoutingFile.load(file, new RoutingFile.Context(env, new HttpSender(Duration.ofSeconds(1), Clock.systemUTC()),
                new PrintStream(new ByteArrayOutputStream()), "http://inferpulse.example"));
    }

    @Test
    void shouldReadTheRoutingTreeWithInheritedSettings() throws IOException {
        Path keyFile = dir.resolve("pd-key");
        Files.writeString(keyFile, "pd-routing-key\n");
        Routing routing = load("""
                route:
                  receiver: chat
                  group_by: [alertname, pool]
                  group_wait: 10s
                  repeat_interval: 1h
                  routes:
                    - matchers: ['severity="critical"', 'alertname=~"High.*"']
                      receiver: pager
                      group_interval: 1m
                      continue: true
                    - matchers: ['team="infra"']
                      group_by: ['...']
                receivers:
                  - name: chat
                    slack_configs:
                      - api_url_env: SLACK_URL
                        channel: '#alerts'
                    console_configs: [{}]
                  - name: pager
                    pagerduty_configs:
                      - routing_key_file: %s
                    webhook_configs:
                      - url: http://127.0.0.1:9/hook
                        send_resolved: false
                    alertmanager_configs:
                      - url: http://127.0.0.1:9093
                """.formatted(keyFile), Map.of("SLACK_URL", SLACK_SECRET));

        Route root = routing.root();
        assertThat(root.groupBy()).containsExactly("alertname", "pool");
        assertThat(root.groupInterval()).isEqualTo(Duration.ofMinutes(5));
        Route pager = root.routes().get(0);
        assertThat(pager.key()).isEqualTo("{}/{severity=\"critical\",alertname=~\"High.*\"}");
        assertThat(pager.groupWait()).as("inherited").isEqualTo(Duration.ofSeconds(10));
        assertThat(pager.groupInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(pager.repeatInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(pager.continueMatching()).isTrue();
        Route infra = root.routes().get(1);
        assertThat(infra.receiver()).as("inherited").isEqualTo("chat");
        assertThat(infra.groupByAll()).isTrue();
        assertThat(routing.receiver("chat").integrations()).extracting(Integration::kind).containsExactly("slack", "console");
        assertThat(routing.receiver("pager").integrations()).extracting(Integration::kind)
                .containsExactly("alertmanager", "webhook", "pagerduty");
        assertThat(routing.receiver("pager").integrations().get(1).sendResolved()).isFalse();
        assertThat(routing.receiver("chat").integrations().toString()).doesNotContain("s3cr3t");
    }

    @Test
    void shouldNameFileLineAndFieldOfEveryProblem() {
        assertThatThrownBy(() -> load("""
                route:
                  receiver: nobody
                  group_wait: soon
                  routes:
                    - matchers: ['severity critical']
                receivers:
                  - name: chat
                    slack_configs:
                      - channel: '#x'
                    sms_configs: []
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        dir.resolve("routing.yml") + ":2: route.receiver: no receiver named 'nobody' in receivers",
                        dir.resolve("routing.yml") + ":3: route.group_wait: 'soon' is not a duration (e.g. 1s, 250ms, 1m30s)",
                        dir.resolve("routing.yml") + ":5: route.routes[0].matchers[0]: 'severity critical' is not a matcher"
                                + " (e.g. severity=\"critical\" or alertname=~\"High.*\")",
                        dir.resolve("routing.yml") + ":9: receivers[0].slack_configs[0].api_url: required: give api_url,"
                                + " api_url_file or api_url_env",
                        dir.resolve("routing.yml") + ":10: receivers[0].sms_configs: unknown field (known: alertmanager_configs,"
                                + " console_configs, name, pagerduty_configs, slack_configs, webhook_configs)"));
    }

    @Test
    void shouldNeverShowASecretInAnError() {
        assertThatThrownBy(() -> load("""
                route: {receiver: chat}
                receivers:
                  - name: chat
                    slack_configs:
                      - api_url: "s3cr3tT0ken not a url"
                    webhook_configs:
                      - url_env: HOOK_URL
                  - name: pager
                    pagerduty_configs:
                      - routing_key: s3cr3tT0ken
                        routing_key_env: PD_KEY
                """, Map.of("HOOK_URL", "ftp://s3cr3tT0ken@host/x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routing.yml:5: receivers[0].slack_configs[0].api_url: is not an absolute http(s) URL")
                .hasMessageContaining("routing.yml:7: receivers[0].webhook_configs[0].url: is not an absolute http(s) URL")
                .hasMessageContaining("routing.yml:11: receivers[1].pagerduty_configs[0].routing_key: give only one of")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void shouldReportBrokenYamlWithoutQuotingTheLine() {
        assertThatThrownBy(() -> load("route:\n  receiver: [s3cr3t\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routing.yml:3: not valid YAML")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void shouldFailTheServiceConfigurationOnABrokenRoutingFile() throws IOException {
        Path file = dir.resolve("routing.yml");
        Files.writeString(file, "route: {receiver: x}\nreceivers: []\n");
        assertThatThrownBy(() -> NotifierConfig.of(Map.of(NotifierConfig.ROUTING_FILE.key(), file.toString()), Map.of()))
                .hasMessageContaining(file + ":1: route.receiver: no receiver named 'x' in receivers");
        assertThatThrownBy(() -> NotifierConfig.of(Map.of(NotifierConfig.ROUTING_FILE.key(), file.toString(),
                NotifierConfig.RETRY_ATTEMPTS.key(), "0"), Map.of()))
                .hasMessageContaining("notifier.retry.attempts: 0 is below the minimum 1");
    }
}
