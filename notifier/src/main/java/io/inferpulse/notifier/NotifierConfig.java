package io.inferpulse.notifier;

import static io.inferpulse.runtime.config.ConfigParsers.NON_EMPTY;
import static io.inferpulse.runtime.config.ConfigParsers.PATH;
import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.STRING;
import static io.inferpulse.runtime.config.ConfigParsers.intAtLeast;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.OpsSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Settings of the notifier service. The routing file ({@code notifier.config}) is read and checked
 * here, so a broken one stops the service before it consumes anything.
 *
 * @param env the process environment, for secrets given as {@code *_env} in the routing file
 */
public record NotifierConfig(Path routingFile, String groupId, RetrySettings retry, Duration httpTimeout,
                             String externalUrl, KafkaSettings kafka, OpsSettings ops, Map<String, String> env) {
    public static final int DEFAULT_HTTP_PORT = 9403;

    public static final ConfigParameter<Path> ROUTING_FILE = ConfigParameter.required("notifier.config", PATH,
            "Routing file: Alertmanager's route and receivers (see notifier/README.md)");
    public static final ConfigParameter<String> GROUP_ID = ConfigParameter.of("notifier.group.id", NON_EMPTY,
            "inferpulse-notifier", "Consumer group of the alerts topic; its committed offsets mark what was delivered");
    public static final ConfigParameter<Integer> RETRY_ATTEMPTS = ConfigParameter.of("notifier.retry.attempts",
            intAtLeast(1), "8", "Attempts per notification before it goes to the dead-letter topic");
    public static final ConfigParameter<Duration> RETRY_INITIAL = ConfigParameter.of("notifier.retry.backoff.initial",
            POSITIVE_DURATION, "500ms", "Wait after the first failed attempt; doubles per attempt, with jitter");
    public static final ConfigParameter<Duration> RETRY_MAX = ConfigParameter.of("notifier.retry.backoff.max",
            POSITIVE_DURATION, "1m", "Longest wait between attempts (Retry-After is honoured even when longer)");
    public static final ConfigParameter<Duration> HTTP_TIMEOUT = ConfigParameter.of("notifier.http.timeout",
            POSITIVE_DURATION, "10s", "Time limit of one HTTP attempt to a receiver");
    public static final ConfigParameter<String> EXTERNAL_URL = ConfigParameter.of("notifier.external.url", STRING,
            "", "Link sent as externalURL in webhook payloads");

    public NotifierConfig {
        env = Map.copyOf(env);
    }

    public static List<ConfigParameter<?>> parameters() {
        return Stream.<List<ConfigParameter<?>>>of(
                List.of(ROUTING_FILE, GROUP_ID, RETRY_ATTEMPTS, RETRY_INITIAL, RETRY_MAX, HTTP_TIMEOUT, EXTERNAL_URL),
                KafkaSettings.PARAMETERS, OpsSettings.parameters(DEFAULT_HTTP_PORT)).flatMap(List::stream).toList();
    }

    /** Loads the configuration from settings alone: for embedding the service and for tests. */
    public static NotifierConfig of(Map<String, String> settings, Map<String, String> env) {
        return from(Configuration.load(parameters(), KafkaSettings.PASS_THROUGH_PREFIXES, Configuration.Sources.of(settings)), env);
    }

    public static NotifierConfig from(Configuration config, Map<String, String> env) {
        RetrySettings retry;
        try {
            retry = new RetrySettings(config.get(RETRY_ATTEMPTS), config.get(RETRY_INITIAL), config.get(RETRY_MAX));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(RETRY_MAX.key() + ": " + e.getMessage());
        }
        NotifierConfig c = new NotifierConfig(config.get(ROUTING_FILE), config.get(GROUP_ID), retry, config.get(HTTP_TIMEOUT),
                config.get(EXTERNAL_URL), KafkaSettings.from(config), OpsSettings.from(config, DEFAULT_HTTP_PORT), env);
        c.routing(System.out, Clock.systemUTC());
        return c;
    }

    /** Reads the routing file, building its integrations; console receivers print to {@code console}. */
    Routing routing(PrintStream console, Clock clock) {
        return RoutingFile.load(routingFile, new RoutingFile.Context(env, new HttpSender(httpTimeout, clock), console, externalUrl));
    }

    /** The environment holds secrets: never printed. */
    @Override
    public String toString() {
        return "NotifierConfig[routingFile=" + routingFile + ", groupId=" + groupId + ", retry=" + retry + ", httpTimeout="
                + httpTimeout + ", kafka=" + kafka.bootstrapServers() + ", ops=" + ops + "]";
    }
}
