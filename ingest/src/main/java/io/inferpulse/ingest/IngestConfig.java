package io.inferpulse.ingest;

import static io.inferpulse.runtime.config.ConfigParsers.BOOLEAN;
import static io.inferpulse.runtime.config.ConfigParsers.DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.LIST;
import static io.inferpulse.runtime.config.ConfigParsers.NON_EMPTY;
import static io.inferpulse.runtime.config.ConfigParsers.PORT;
import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.STRING;
import static io.inferpulse.runtime.config.ConfigParsers.intAtLeast;

import io.inferpulse.ingest.engine.Engines;
import io.inferpulse.ingest.engine.EngineSettingsException;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.logs.AccessLogFormats;
import io.inferpulse.ingest.logs.AccessLogMapping;
import io.inferpulse.ingest.scrape.ScrapeProfile;
import io.inferpulse.ingest.scrape.ScrapeSettings;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.OpsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Settings of the ingest service: what to scrape (static targets, InferencePool discovery,
 * dcgm-exporters), how, which engines exist, and where access logs come from.
 */
public record IngestConfig(String cluster, ScrapeSettings scrape, List<ScrapeTarget> targets, Engines engines,
                           Discovery discovery, List<URI> dcgmTargets, Duration gpuMaxAge, AccessLogs accessLogs,
                           int bufferSamples, Duration publishMaxBackoff, KafkaSettings kafka, OpsSettings ops) {
    public static final int DEFAULT_HTTP_PORT = 9400;
    public static final String ENGINES_PREFIX = Engines.SETTINGS_PREFIX;
    public static final String ACCESS_LOG_PREFIX = "accesslog.";

    /** InferencePool discovery: off outside a cluster; the scheme and path of each pod's /metrics. */
    public record Discovery(boolean enabled, Optional<String> namespace, String scheme, String metricsPath) {}

    /** Access-log receivers: the format and field mapping, the HTTP endpoint (if on) and the files to follow. */
    public record AccessLogs(String format, AccessLogMapping mapping, int maxLineBytes, boolean httpEnabled,
                             String httpHost, int httpPort, List<Path> files) {}

    public static final ConfigParameter<String> CLUSTER = ConfigParameter.of("cluster.name", NON_EMPTY, "local",
            "Cluster name written into every record key (cluster/namespace/pool)");
    public static final ConfigParameter<Duration> SCRAPE_INTERVAL = ConfigParameter.of("scrape.interval",
            POSITIVE_DURATION, "1s", "Time between two scrapes of one target (50ms at least)");
    public static final ConfigParameter<Duration> SCRAPE_TIMEOUT = ConfigParameter.of("scrape.timeout", DURATION, "0s",
            "How long one scrape may take; 0s means the scrape interval");
    public static final ConfigParameter<Duration> SCRAPE_JITTER = ConfigParameter.of("scrape.jitter", DURATION, "0s",
            "Random delay added to each scrape, at most a tenth of the interval");
    public static final ConfigParameter<String> SCRAPE_BEARER_TOKEN_FILE = ConfigParameter.of("scrape.bearer.token.file",
            STRING, "", "File holding a bearer token for model servers' /metrics; re-read when it changes");
    public static final ConfigParameter<String> SCRAPE_CA_FILE = ConfigParameter.of("scrape.ca.file", STRING, "",
            "PEM file of the CA(s) that sign HTTPS targets' certificates");
    public static final ConfigParameter<Boolean> SCRAPE_INSECURE = ConfigParameter.of("scrape.insecure.skip.verify",
            BOOLEAN, "false", "Accept any HTTPS certificate (for tests only)");
    public static final ConfigParameter<Integer> SCRAPE_CONCURRENCY = ConfigParameter.of("scrape.max.concurrency",
            intAtLeast(1), "256", "Scrapes running at once");
    public static final ConfigParameter<Integer> SCRAPE_BODY_LIMIT = ConfigParameter.of("scrape.body.limit.bytes",
            intAtLeast(1024), String.valueOf(16 * 1024 * 1024), "Larger /metrics bodies go to the dead-letter topic");
    public static final ConfigParameter<List<String>> SCRAPE_TARGETS = ConfigParameter.of("scrape.targets", LIST, "",
            "Static targets, each namespace/pool/pod=http://host:port/metrics, optionally followed by "
                    + ";engine=NAME, ;interval=DURATION and ;timeout=DURATION");
    public static final ConfigParameter<Boolean> DISCOVERY_ENABLED = ConfigParameter.of("discovery.enabled", BOOLEAN,
            "false", "Scrape the ready pods of every InferencePool (both API groups), found through the Kubernetes API");
    public static final ConfigParameter<String> DISCOVERY_NAMESPACE = ConfigParameter.of("discovery.namespace", STRING,
            "", "Only pools of this namespace; empty for all namespaces");
    public static final ConfigParameter<String> DISCOVERY_SCHEME = ConfigParameter.of("discovery.scheme", NON_EMPTY,
            "http", "Scheme of discovered pods' metrics endpoints (http or https)");
    public static final ConfigParameter<String> DISCOVERY_PATH = ConfigParameter.of("discovery.metrics.path", NON_EMPTY,
            "/metrics", "Path of discovered pods' metrics, served on each target port");
    public static final ConfigParameter<List<String>> DCGM_TARGETS = ConfigParameter.of("dcgm.targets", LIST, "",
            "dcgm-exporter endpoints, e.g. http://10.0.0.5:9400/metrics; their GPU samples are attached to the pods they serve");
    public static final ConfigParameter<Duration> GPU_MAX_AGE = ConfigParameter.of("gpu.max.age", POSITIVE_DURATION,
            "10s", "A GPU sample older than this is not attached to pod samples");
    public static final ConfigParameter<String> ACCESS_LOG_FORMAT = ConfigParameter.of("accesslog.format", NON_EMPTY,
            "gcp-lb", "Access-log format: " + String.join(", ", AccessLogFormats.names()));
    public static final ConfigParameter<Integer> ACCESS_LOG_MAX_LINE = ConfigParameter.of("accesslog.max.line.bytes",
            intAtLeast(1024), String.valueOf(256 * 1024),
            "Longer access-log lines go to the dead-letter topic (256 KiB is Cloud Logging's entry limit)");
    public static final ConfigParameter<Boolean> ACCESS_LOG_HTTP_ENABLED = ConfigParameter.of("accesslog.http.enabled",
            BOOLEAN, "false", "Accept NDJSON batches (Fluent Bit, Vector http outputs) on POST /v1/logs");
    public static final ConfigParameter<String> ACCESS_LOG_HTTP_HOST = ConfigParameter.of("accesslog.http.host",
            NON_EMPTY, "0.0.0.0", "Address of the access-log HTTP endpoint");
    public static final ConfigParameter<Integer> ACCESS_LOG_HTTP_PORT = ConfigParameter.of("accesslog.http.port", PORT,
            "9880", "Port of the access-log HTTP endpoint");
    public static final ConfigParameter<List<String>> ACCESS_LOG_FILES = ConfigParameter.of("accesslog.files", LIST, "",
            "Access-log files to follow through rotation, with exactly-once checkpoints in Kafka");
    public static final ConfigParameter<Integer> BUFFER_SAMPLES = ConfigParameter.of("publish.buffer.samples",
            intAtLeast(1), "100000", "Samples held while Kafka or the registry is unreachable; beyond it new samples are refused");
    public static final ConfigParameter<Duration> PUBLISH_MAX_BACKOFF = ConfigParameter.of("publish.max.backoff",
            POSITIVE_DURATION, "5s", "Longest wait between two attempts to publish while the registry or broker is down");

    public static List<ConfigParameter<?>> parameters() {
        return Stream.<List<ConfigParameter<?>>>of(List.of(CLUSTER, SCRAPE_INTERVAL, SCRAPE_TIMEOUT, SCRAPE_JITTER,
                        SCRAPE_BEARER_TOKEN_FILE, SCRAPE_CA_FILE, SCRAPE_INSECURE, SCRAPE_CONCURRENCY, SCRAPE_BODY_LIMIT,
                        SCRAPE_TARGETS, DISCOVERY_ENABLED, DISCOVERY_NAMESPACE, DISCOVERY_SCHEME, DISCOVERY_PATH,
                        DCGM_TARGETS, GPU_MAX_AGE, ACCESS_LOG_FORMAT, ACCESS_LOG_MAX_LINE, ACCESS_LOG_HTTP_ENABLED,
                        ACCESS_LOG_HTTP_HOST, ACCESS_LOG_HTTP_PORT, ACCESS_LOG_FILES, BUFFER_SAMPLES, PUBLISH_MAX_BACKOFF),
                KafkaSettings.PARAMETERS, OpsSettings.parameters(DEFAULT_HTTP_PORT)).flatMap(List::stream).toList();
    }

    /** Kafka and registry settings pass through, and so do user-defined engines and access-log field mappings. */
    public static Set<String> passThroughPrefixes() {
        return Stream.concat(KafkaSettings.PASS_THROUGH_PREFIXES.stream(), Stream.of(ENGINES_PREFIX, ACCESS_LOG_PREFIX))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Loads the configuration from settings alone: for embedding ingest and for tests. */
    public static IngestConfig of(Map<String, String> settings) {
        return from(Configuration.load(parameters(), passThroughPrefixes(), Configuration.Sources.of(settings)));
    }

    public static IngestConfig from(Configuration config) {
        List<String> problems = new ArrayList<>();
        String cluster = config.get(CLUSTER);
        ScrapeSettings scrape = null;
        try {
            Duration interval = config.get(SCRAPE_INTERVAL);
            Duration timeout = config.get(SCRAPE_TIMEOUT).isZero() ? interval : config.get(SCRAPE_TIMEOUT);
            ScrapeProfile profile = new ScrapeProfile(interval, timeout, path(config.get(SCRAPE_BEARER_TOKEN_FILE)),
                    path(config.get(SCRAPE_CA_FILE)), config.get(SCRAPE_INSECURE));
            scrape = new ScrapeSettings(profile, config.get(SCRAPE_CONCURRENCY), config.get(SCRAPE_BODY_LIMIT),
                    config.get(SCRAPE_JITTER));
        } catch (IllegalArgumentException e) {
            problems.add("scrape: " + e.getMessage());
        }
        Engines engines = Engines.builtIn();
        try {
            engines = Engines.fromSettingsWithoutPrefix(config.withPrefix(ENGINES_PREFIX));
        } catch (EngineSettingsException e) {
            problems.addAll(e.problems());
        }
        List<ScrapeTarget> targets = targets(cluster, config.get(SCRAPE_TARGETS), engines,
                scrape == null ? ScrapeProfile.defaults() : scrape.defaultProfile(), problems);
        String scheme = config.get(DISCOVERY_SCHEME);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            problems.add(DISCOVERY_SCHEME.key() + ": '" + scheme + "' is not http or https");
        }
        Discovery discovery = new Discovery(config.get(DISCOVERY_ENABLED), optional(config.get(DISCOVERY_NAMESPACE)),
                scheme, config.get(DISCOVERY_PATH));
        List<URI> dcgm = urls(DCGM_TARGETS, config.get(DCGM_TARGETS), problems);
        AccessLogs accessLogs = accessLogs(config, cluster, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new IngestConfig(cluster, scrape, targets, engines, discovery, dcgm, config.get(GPU_MAX_AGE), accessLogs,
                config.get(BUFFER_SAMPLES), config.get(PUBLISH_MAX_BACKOFF), KafkaSettings.from(config),
                OpsSettings.from(config, DEFAULT_HTTP_PORT));
    }

    private static AccessLogs accessLogs(Configuration config, String cluster, List<String> problems) {
        String format = config.get(ACCESS_LOG_FORMAT);
        if (!AccessLogFormats.names().contains(format)) {
            problems.add(ACCESS_LOG_FORMAT.key() + ": '" + format + "' is not one of " + AccessLogFormats.names());
        }
        Map<String, String> mappingSettings = new TreeMap<>();
        config.withPrefix(ACCESS_LOG_PREFIX).forEach((k, v) -> mappingSettings.put(ACCESS_LOG_PREFIX + k, v));
        AccessLogMapping mapping = AccessLogMapping.defaults(cluster);
        try {
            mapping = AccessLogMapping.fromSettings(mappingSettings, cluster);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        List<Path> files = config.get(ACCESS_LOG_FILES).stream().map(Path::of).toList();
        return new AccessLogs(format, mapping, config.get(ACCESS_LOG_MAX_LINE), config.get(ACCESS_LOG_HTTP_ENABLED),
                config.get(ACCESS_LOG_HTTP_HOST), config.get(ACCESS_LOG_HTTP_PORT), files);
    }

    /**
     * Static targets: {@code namespace/pool/pod=URL}, optionally followed by {@code ;engine=NAME},
     * {@code ;interval=250ms} and {@code ;timeout=200ms} for that target alone.
     */
    private static List<ScrapeTarget> targets(String cluster, List<String> specs, Engines engines, ScrapeProfile base,
                                              List<String> problems) {
        List<ScrapeTarget> targets = new ArrayList<>();
        for (String spec : specs) {
            String[] parts = spec.split(";");
            String target = parts[0];
            String engine = Engines.DEFAULT_ENGINE;
            Optional<Duration> interval = Optional.empty();
            Optional<Duration> timeout = Optional.empty();
            try {
                for (int i = 1; i < parts.length; i++) {
                    String[] option = parts[i].split("=", 2);
                    String value = option.length == 2 ? option[1].strip() : "";
                    switch (option[0].strip()) {
                        case "engine" -> engine = engines.find(value).map(m -> m.engine()).orElseThrow(() ->
                                new IllegalArgumentException("unknown engine '" + value + "' (known: " + engines.names() + ")"));
                        case "interval" -> interval = Optional.of(POSITIVE_DURATION.parse(value));
                        case "timeout" -> timeout = Optional.of(POSITIVE_DURATION.parse(value));
                        default -> throw new IllegalArgumentException("unknown option '" + parts[i]
                                + "' (known: engine, interval, timeout)");
                    }
                }
                int eq = target.indexOf('=');
                String[] who = eq < 0 ? new String[0] : target.substring(0, eq).split("/");
                if (who.length != 3 || Stream.of(who).anyMatch(String::isBlank)) {
                    throw new IllegalArgumentException("expected namespace/pool/pod=http://host:port/metrics"
                            + "[;engine=NAME][;interval=DURATION][;timeout=DURATION]");
                }
                URI url = URI.create(target.substring(eq + 1).strip());
                if (url.getHost() == null || url.getScheme() == null || !url.getScheme().startsWith("http")) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
                // Without options of its own a target keeps ScrapeProfile.defaults(), which the scraper
                // reads as "the configured default"; with them it starts from the configured default.
                ScrapeProfile profile = interval.isEmpty() && timeout.isEmpty() ? ScrapeProfile.defaults() : base;
                if (interval.isPresent()) {
                    profile = profile.withInterval(interval.get());
                }
                if (timeout.isPresent()) {
                    profile = profile.withTimeout(timeout.get());
                }
                targets.add(new ScrapeTarget(new PodIdentity(cluster, who[0], who[1], who[2], url.getHost() + ":" + url.getPort(),
                        Map.of()), url, profile, engine));
            } catch (IllegalArgumentException e) {
                problems.add(SCRAPE_TARGETS.key() + ": '" + spec + "': " + e.getMessage());
            }
        }
        return List.copyOf(targets);
    }

    private static List<URI> urls(ConfigParameter<?> parameter, List<String> specs, List<String> problems) {
        List<URI> urls = new ArrayList<>();
        for (String spec : specs) {
            try {
                URI url = URI.create(spec);
                if (url.getHost() == null || url.getScheme() == null || !url.getScheme().startsWith("http")) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
                urls.add(url);
            } catch (IllegalArgumentException e) {
                problems.add(parameter.key() + ": '" + spec + "': " + e.getMessage());
            }
        }
        return List.copyOf(urls);
    }

    private static Optional<Path> path(String text) {
        return text.isBlank() ? Optional.empty() : Optional.of(Path.of(text.strip()));
    }

    private static Optional<String> optional(String text) {
        return text.isBlank() ? Optional.empty() : Optional.of(text.strip());
    }
}
