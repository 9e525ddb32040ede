package io.inferpulse.ingest;

import static io.inferpulse.runtime.config.ConfigParsers.DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.LIST;
import static io.inferpulse.runtime.config.ConfigParsers.NON_EMPTY;
import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.intAtLeast;

import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.scrape.ScrapeSettings;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.OpsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Settings of the ingest service. */
public record IngestConfig(String cluster, ScrapeSettings scrape, List<ScrapeTarget> targets, int bufferSamples,
                           Duration publishMaxBackoff, KafkaSettings kafka, OpsSettings ops) {
    public static final int DEFAULT_HTTP_PORT = 9400;

    public static final ConfigParameter<String> CLUSTER = ConfigParameter.of("cluster.name", NON_EMPTY, "local",
            "Cluster name written into every record key (cluster/namespace/pool)");
    public static final ConfigParameter<Duration> SCRAPE_INTERVAL = ConfigParameter.of("scrape.interval",
            POSITIVE_DURATION, "1s", "Time between two scrapes of one target");
    public static final ConfigParameter<Duration> SCRAPE_TIMEOUT = ConfigParameter.of("scrape.timeout", DURATION, "0s",
            "How long one scrape may take; 0s means the scrape interval");
    public static final ConfigParameter<Integer> SCRAPE_CONCURRENCY = ConfigParameter.of("scrape.max.concurrency",
            intAtLeast(1), "256", "Scrapes running at once");
    public static final ConfigParameter<Integer> SCRAPE_BODY_LIMIT = ConfigParameter.of("scrape.body.limit.bytes",
            intAtLeast(1024), String.valueOf(16 * 1024 * 1024), "Larger /metrics bodies go to the dead-letter topic");
    public static final ConfigParameter<List<String>> SCRAPE_TARGETS = ConfigParameter.of("scrape.targets", LIST, "",
            "Static targets, each namespace/pool/pod=http://host:port/metrics");
    public static final ConfigParameter<Integer> BUFFER_SAMPLES = ConfigParameter.of("publish.buffer.samples",
            intAtLeast(1), "100000", "Samples held while Kafka or the registry is unreachable; beyond it new samples are refused");
    public static final ConfigParameter<Duration> PUBLISH_MAX_BACKOFF = ConfigParameter.of("publish.max.backoff",
            POSITIVE_DURATION, "5s", "Longest wait between two attempts to publish while the registry or broker is down");

    public static List<ConfigParameter<?>> parameters() {
        return Stream.<List<ConfigParameter<?>>>of(List.of(CLUSTER, SCRAPE_INTERVAL, SCRAPE_TIMEOUT, SCRAPE_CONCURRENCY, SCRAPE_BODY_LIMIT,
                        SCRAPE_TARGETS, BUFFER_SAMPLES, PUBLISH_MAX_BACKOFF),
                KafkaSettings.PARAMETERS, OpsSettings.parameters(DEFAULT_HTTP_PORT)).flatMap(List::stream).toList();
    }

    public static IngestConfig from(Configuration config) {
        String cluster = config.get(CLUSTER);
        Duration interval = config.get(SCRAPE_INTERVAL);
        Duration timeout = config.get(SCRAPE_TIMEOUT).isZero() ? interval : config.get(SCRAPE_TIMEOUT);
        ScrapeSettings scrape;
        try {
            scrape = new ScrapeSettings(interval, timeout, config.get(SCRAPE_CONCURRENCY), config.get(SCRAPE_BODY_LIMIT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return new IngestConfig(cluster, scrape, targets(cluster, config.get(SCRAPE_TARGETS)), config.get(BUFFER_SAMPLES),
                config.get(PUBLISH_MAX_BACKOFF), KafkaSettings.from(config), OpsSettings.from(config, DEFAULT_HTTP_PORT));
    }

    private static List<ScrapeTarget> targets(String cluster, List<String> specs) {
        List<ScrapeTarget> targets = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String[] who = eq < 0 ? new String[0] : spec.substring(0, eq).split("/");
            if (who.length != 3 || Stream.of(who).anyMatch(String::isBlank)) {
                problems.add("scrape.targets: '" + spec + "' is not namespace/pool/pod=http://host:port/metrics");
                continue;
            }
            try {
                URI url = URI.create(spec.substring(eq + 1).strip());
                if (url.getHost() == null || !url.getScheme().startsWith("http")) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
                String address = url.getHost() + ":" + url.getPort();
                targets.add(new ScrapeTarget(new PodIdentity(cluster, who[0], who[1], who[2], address, Map.of()), url));
            } catch (IllegalArgumentException e) {
                problems.add("scrape.targets: '" + spec + "': " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return List.copyOf(targets);
    }
}
