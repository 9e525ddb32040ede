package io.inferpulse.app;

import io.inferpulse.app.routing.PickerRouting;
import io.inferpulse.app.routing.RoutingTally;
import io.inferpulse.autoscaler.metrics.ExternalMetricsClient;
import io.inferpulse.autoscaler.metrics.MetricsApiConfig;
import io.inferpulse.autoscaler.metrics.MetricsApiService;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.fleet.FleetSimulator;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.ingest.IngestConfig;
import io.inferpulse.ingest.IngestService;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.notifier.NotifierConfig;
import io.inferpulse.notifier.NotifierService;
import io.inferpulse.routerfeed.pick.PickerSettings;
import io.inferpulse.routerfeed.pick.ScorePicker;
import io.inferpulse.routerfeed.pick.Strategy;
import io.inferpulse.routerfeed.policy.BackendPolicies;
import io.inferpulse.routerfeed.table.EndpointTable;
import io.inferpulse.runtime.config.ConfigParsers;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.runtime.ops.MeterRegistries;
import io.inferpulse.runtime.ops.OpsServer;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.alert.AlertConfig;
import io.inferpulse.streams.alert.AlertJob;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.pool.PoolStatsConfig;
import io.inferpulse.streams.pool.PoolStatsJob;
import io.inferpulse.streams.score.ScoreConfig;
import io.inferpulse.streams.score.ScoreJob;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run everything in one process: a Kafka broker, a schema registry, a simulated fleet of vLLM "
                + "servers whose gateway routes through the picker, ingest, the streams jobs (pool stats, endpoint scores), "
                + "alert evaluation, the notifier and the external metrics API, with a live view of every pool, of request "
                + "latency against a round-robin twin of the fleet on the same load, and of the alert notifications a load "
                + "spike causes.")
final class DemoCommand implements Callable<Integer> {
    /** The seed rules with {@code for: 30s}, so that a spike shows a whole alert cycle in minutes. */
    private static final String DEMO_RULES = "demo-alerts.yaml";
    private static final String DEMO_ROUTING = "demo-notifier.yaml";
    private static final int EVENTS_SHOWN = 12;
    /** HPA's default sync period. */
    private static final Duration HPA_SYNC = Duration.ofSeconds(15);
    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

    @Mixin
    FleetOptions fleetOptions;

    @Option(names = "--scrape-interval", defaultValue = "200ms", description = "Scrape interval (default ${DEFAULT-VALUE}; "
            + "the scores the picker routes on are this old at most, plus the pipeline's tens of milliseconds).")
    String scrapeInterval;

    @Option(names = "--http-port", defaultValue = "9400",
            description = "Port of /metrics, /healthz and /readyz (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int httpPort;

    @Option(names = "--data-dir", description = "Where Kafka, the streams state and the access log live. Default: a new temporary directory.")
    Path dataDir;

    @Option(names = "--duration", description = "Stop by itself after this long (e.g. 30s); default: run until Ctrl-C.")
    String duration;

    @Option(names = "--metrics-api-port", defaultValue = "6443",
            description = "Port of the external metrics API on 127.0.0.1 (HTTPS, self-signed, no authentication; "
                    + "default ${DEFAULT-VALUE}; 0 picks a free one).")
    int metricsApiPort;

    @Option(names = "--autoscale", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Scale each pool between --pods and --max-pods with Kubernetes' HPA algorithm on its average "
                    + "KV-cache use (default on; --no-autoscale keeps the pods fixed).")
    boolean autoscale;

    @Option(names = "--autoscale-target", defaultValue = "0.8",
            description = "Value target of the average KV-cache use, 0..1 (default ${DEFAULT-VALUE}).")
    double autoscaleTarget;

    @Option(names = "--scale-down-window", defaultValue = "60s",
            description = "Scale-down stabilization window (default ${DEFAULT-VALUE}; Kubernetes' default is 5m).")
    String scaleDownWindow;

    @Option(names = "--strategy", defaultValue = "max-score",
            description = "How the picker chooses: max-score, weighted-random or power-of-two (default ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--spike-pool", defaultValue = "pool-0", description = "Pool the load spike hits (default ${DEFAULT-VALUE}).")
    String spikePool;

    @Option(names = "--spike-after", defaultValue = "45s", description = "When the load spike starts (default ${DEFAULT-VALUE}).")
    String spikeAfter;

    @Option(names = "--spike-for", defaultValue = "60s", description = "How long the load spike lasts (default ${DEFAULT-VALUE}).")
    String spikeFor;

    @Option(names = "--spike-factor", defaultValue = "10",
            description = "The spike multiplies the pool's request rate by this (default ${DEFAULT-VALUE}); 1 for no spike.")
    double spikeFactor;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Optional<Duration> limit = Optional.ofNullable(duration).map(d -> ConfigParsers.POSITIVE_DURATION.parse(d));
        Duration spikeStart = option("--spike-after", spikeAfter);
        Duration spikeLength = option("--spike-for", spikeFor);
        if (!fleetOptions.config().poolNames().contains(spikePool)) {
            throw new ParameterException(spec.commandLine(), "--spike-pool: no pool '" + spikePool + "'; the pools are "
                    + fleetOptions.config().poolNames());
        }
        if (!(spikeFactor >= 0) || Double.isInfinite(spikeFactor)) {
            throw new ParameterException(spec.commandLine(), "--spike-factor: must be a number >= 0, was " + spikeFactor);
        }
        Duration scaleDownStabilization = option("--scale-down-window", scaleDownWindow);
        if (!(autoscaleTarget > 0 && autoscaleTarget <= 1)) {
            throw new ParameterException(spec.commandLine(), "--autoscale-target: must be in (0, 1], was " + autoscaleTarget);
        }
        Strategy picking;
        try {
            picking = ConfigParsers.enumOf(Strategy.class).parse(strategy);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--strategy: " + e.getMessage());
        }
        Path dir = dataDir != null ? Files.createDirectories(dataDir) : Files.createTempDirectory("inferpulse-demo-");
        Lifecycle life = new Lifecycle();

        out.println("Starting Kafka (KRaft, in this process)...");
        EmbeddedKafkaBroker broker = life.add(EmbeddedKafkaBroker.start(
                EmbeddedKafkaBroker.Settings.defaults().withDataDir(dir.resolve("kafka"))));
        out.println("Starting the schema registry...");
        DevSchemaRegistry registry = life.add(DevSchemaRegistry.start(
                new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0)));

        var meters = MeterRegistries.prometheus();
        Metrics.addRegistry(meters);
        var health = new HealthChecks();
        OpsServer ops = life.add(OpsServer.start("demo", "127.0.0.1", httpPort, meters, health));

        out.println("Starting the endpoint table and the picker...");
        KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), registry.url().toString());
        TopicSetup.ensure(kafka, Topics.SPECS);
        EndpointTable table = life.add(EndpointTable.start(kafka, "inferpulse-demo-picker", meters, health));
        PickerRouting routing = new PickerRouting(ScorePicker.following(table, PickerSettings.defaults().withStrategy(picking),
                () -> BackendPolicies.NONE, Clock.systemUTC()), IngestConfig.CLUSTER.defaultValue().orElseThrow());

        out.println("Starting " + fleetOptions.pools + " x " + fleetOptions.pods + " simulated vLLM servers, and a twin "
                + "fleet routed round robin on the same load...");
        Path accessLog = dir.resolve("access-log.ndjson");
        SimulateCommand.AccessLogFile log = life.add(SimulateCommand.AccessLogFile.open(accessLog));
        RoutingTally pickerLatency = new RoutingTally();
        RoutingTally roundRobinLatency = new RoutingTally();
        FleetSimulator fleet = life.add(new FleetSimulator(fleetOptions.config(routing), routing.finishing(line -> {
            pickerLatency.accept(line);
            log.write(line);
        })));
        routing.bind(fleet.endpoints());
        // Same configuration and seed, so the same arrivals and request sizes; only the routing differs.
        FleetSimulator twin = life.add(new FleetSimulator(fleetOptions.config(), roundRobinLatency));
        fleetOptions.scaleToStart(fleet);
        fleetOptions.scaleToStart(twin);
        fleet.start();
        twin.start();

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        settings.put(KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString());
        settings.put("http.port", "0");
        Map<String, String> ingestSettings = new LinkedHashMap<>(settings);
        ingestSettings.put(IngestConfig.SCRAPE_INTERVAL.key(), scrapeInterval);
        ingestSettings.put(IngestConfig.ACCESS_LOG_FILES.key(), accessLog.toString());
        Map<String, String> streamsSettings = new LinkedHashMap<>(settings);
        streamsSettings.put(PoolStatsConfig.STATE_DIR.key(), dir.resolve("streams").toString());
        Map<String, String> scoreSettings = new LinkedHashMap<>(settings);
        scoreSettings.put(ScoreConfig.STATE_DIR.key(), dir.resolve("scores").toString());

        Path rules = resource(DEMO_RULES, dir);
        Map<String, String> alertSettings = new LinkedHashMap<>(settings);
        alertSettings.put(AlertConfig.STATE_DIR.key(), dir.resolve("alerts").toString());
        alertSettings.put(AlertConfig.RULES.key(), rules.toString());
        Map<String, String> notifierSettings = new LinkedHashMap<>(settings);
        notifierSettings.put(NotifierConfig.ROUTING_FILE.key(), resource(DEMO_ROUTING, dir).toString());

        out.println("Starting ingest (scraping, access-log tailing), the streams jobs (pool and request statistics, "
                + "endpoint scores), alert evaluation and the notifier...");
        IngestConfig ingestConfig = IngestConfig.of(ingestSettings);
        PoolStatsConfig streamsConfig = PoolStatsConfig.of(streamsSettings);
        IngestService ingest = life.add(IngestService.start(ingestConfig, meters, health, Clock.systemUTC()));
        // Discovery's part: scrape the pods that run, again after every scale; the twin runs as many.
        Runnable followScale = () -> {
            ingest.setTargets(fleet.activeEndpoints().stream().map(e -> new ScrapeTarget(
                    new PodIdentity(ingestConfig.cluster(), e.namespace(), e.pool(), e.pod(), e.address(), Map.of()),
                    e.metricsUri())).toList());
            fleetOptions.config().poolNames().forEach(pool -> twin.scale(pool, fleet.replicas(pool)));
        };
        followScale.run();
        life.add(StreamsJob.start(PoolStatsJob.spec(streamsConfig), meters, health));
        life.add(StreamsJob.start(ScoreJob.spec(ScoreConfig.of(scoreSettings), meters), meters, health));
        life.add(StreamsJob.start(AlertJob.spec(AlertConfig.of(alertSettings), meters), meters, health));
        Map<String, String> apiSettings = new LinkedHashMap<>(settings);
        apiSettings.put(MetricsApiConfig.HOST.key(), "127.0.0.1");
        apiSettings.put(MetricsApiConfig.PORT_PARAMETER.key(), String.valueOf(metricsApiPort));
        apiSettings.put(MetricsApiConfig.AUTH_MODE.key(), "insecure-local");
        MetricsApiService metricsApi = life.add(MetricsApiService.start(MetricsApiConfig.of(apiSettings), meters, health));
        EventFeed events = new EventFeed(EVENTS_SHOWN, Clock.systemUTC());
        life.add(NotifierService.start(NotifierConfig.of(notifierSettings, Map.of()), meters, health, events.stream(),
                Clock.systemUTC()));

        var topics = new Topics(new AvroSerdes(life.add(SchemaRegistryClients.create(
                RegistryClientConfig.fromSerdeConfig(ingestConfig.kafka().registryConfig())))));
        PoolView view = life.add(new PoolView(ingestConfig.kafka().clientConfig("inferpulse-demo-view"),
                topics.poolStats(), Clock.systemUTC()));

        out.println();
        out.println("inferpulse demo is running.");
        out.printf("  Kafka            %s (data in %s)%n", broker.bootstrapServers(), dir.resolve("kafka"));
        out.printf("  Schema registry  %s%n", registry.url());
        out.printf("  Metrics, health  %s/metrics  %s/healthz  %s/readyz%n", ops.url(), ops.url(), ops.url());
        out.printf("  Model servers    %d simulated vLLM pods running (up to %d), e.g. %s%n", fleet.activeEndpoints().size(),
                fleet.endpoints().size(), fleet.endpoints().get(0).metricsUri());
        out.printf("  Access log       %s%n", accessLog);
        out.printf("  Topics           %s -> %s, %s; access log -> %s -> %s, %s, %s, %s%n", Topics.POD_METRICS,
                Topics.POOL_STATS, Topics.ENDPOINT_SCORES, Topics.ACCESS_LOGS, Topics.POOL_STATS, Topics.MODEL_STATS,
                Topics.ERROR_DETAILS, Topics.ENDPOINT_SCORES);
        out.printf("  Routing          every request asks the picker (%s), which reads %s; a round-robin twin fleet "
                + "serves the same load%s%n", strategy, Topics.ENDPOINT_SCORES, fleetOptions.slowPods == 0
                ? " (with pods all alike the two stay close: try --slow-pods 1)"
                : "; " + fleetOptions.slowPods + " pod(s) per pool at " + Math.round(100 * fleetOptions.slowShare) + " % speed in both");
        out.printf("  Alerts           rules in %s -> %s -> notifier, console receiver (events below)%n", rules,
                Topics.ALERTS);
        out.printf("  Metrics API      %s (external.metrics.k8s.io, self-signed, no authentication), e.g.%n", metricsApi.url());
        out.printf("                   kubectl get --raw '/apis/external.metrics.k8s.io/v1beta1/namespaces/%s/%s?labelSelector=name%%3D%s' "
                + "--server %s --insecure-skip-tls-verify --token unused%n", fleetOptions.config().namespace(),
                DemoAutoscaler.METRIC, fleetOptions.config().poolNames().getFirst(), metricsApi.url());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("demo-scheduler").daemon().factory());
        life.add(scheduler::shutdownNow);
        if (autoscale) {
            out.printf("  Autoscaler       HPA algorithm every %d s on %s from the metrics API, Value target %s, %d to %d "
                    + "pods per pool, scale-down window %d s%n", HPA_SYNC.toSeconds(), DemoAutoscaler.METRIC, autoscaleTarget,
                    fleetOptions.pods, fleetOptions.config().podsPerPool(), scaleDownStabilization.toSeconds());
            ExternalMetricsClient hpaReads = new ExternalMetricsClient(metricsApi.url(), metricsApi.certificate());
            String namespace = fleetOptions.config().namespace();
            DemoAutoscaler hpa = new DemoAutoscaler(fleet, fleetOptions.config().poolNames(), fleetOptions.pods,
                    fleetOptions.config().podsPerPool(), autoscaleTarget, scaleDownStabilization,
                    pool -> hpaReads.value(namespace, DemoAutoscaler.METRIC, "name=" + pool),
                    events.stream(), followScale, Clock.systemUTC());
            scheduler.scheduleAtFixedRate(() -> {
                try {
                    hpa.sync();
                } catch (RuntimeException e) {
                    // A failed sync must not cancel the schedule; HPA, too, tries again at the next one.
                    LOG.error("Demo autoscaler sync failed", e);
                }
            }, HPA_SYNC.toMillis(), HPA_SYNC.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (spikeFactor != 1) {
            out.printf("  Load spike       %s at %s times its load, %d s in, for %d s%n", spikePool, spikeFactor,
                    spikeStart.toSeconds(), spikeLength.toSeconds());
            scheduler.schedule(() -> {
                fleet.spike(spikePool, spikeFactor, spikeLength);
                twin.spike(spikePool, spikeFactor, spikeLength);
                events.stream().printf("load spike: %s at %s times its load for %d s%n", spikePool, spikeFactor,
                        spikeLength.toSeconds());
            }, spikeStart.toMillis(), TimeUnit.MILLISECONDS);
            scheduler.schedule(() -> events.stream().printf("load spike over: %s back to its usual load%n", spikePool),
                    spikeStart.plus(spikeLength).toMillis(), TimeUnit.MILLISECONDS);
        }
        out.println(limit.map(l -> "Stopping by itself after " + l.toSeconds() + " s.").orElse("Press Ctrl-C to stop."));
        out.println();
        out.flush();

        boolean terminal = System.console() != null;
        Duration refresh = Duration.ofSeconds(terminal ? 1 : 2);
        Thread renderer = Thread.ofPlatform().name("demo-view").daemon().start(() -> {
            try {
                while (true) {
                    view.render(out, terminal, fleet::arrivalRate, routingLines(pickerLatency, roundRobinLatency, routing), events);
                    Thread.sleep(refresh);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        life.add(renderer::interrupt);
        life.awaitShutdown(limit);
        return 0;
    }

    /** Request latency of the fleet against its round-robin twin since the start, as their gateways log it. */
    private String[] routingLines(RoutingTally picker, RoutingTally roundRobin, PickerRouting routing) {
        RoutingTally.Figures p = picker.figures();
        RoutingTally.Figures r = roundRobin.figures();
        return new String[] {
                String.format("%-28s %9s %7s %8s %8s %8s", "ROUTING (latency since start)", "requests", "errors", "p50", "p90", "p99"),
                String.format("%-28s %9d %7d %7.2fs %7.2fs %7.2fs", "picker (" + strategy + ")", p.requests(), p.errors(),
                        p.p50(), p.p90(), p.p99()),
                String.format("%-28s %9d %7d %7.2fs %7.2fs %7.2fs", "round robin (twin fleet)", r.requests(), r.errors(),
                        r.p50(), r.p90(), r.p99()),
                String.format("picker answered %d requests, %d went round robin (no score yet, or no picked pod could "
                        + "queue)", routing.picked(), routing.fellBack())};
    }

    private Duration option(String name, String value) {
        try {
            return ConfigParsers.POSITIVE_DURATION.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), name + ": " + e.getMessage());
        }
    }

    /** Writes a bundled file into the data directory, where the user can read what the demo runs. */
    private static Path resource(String name, Path dir) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = DemoCommand.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the inferpulse jar");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }
}
