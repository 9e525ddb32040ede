package io.inferpulse.app;

import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.fleet.FleetSimulator;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.ingest.IngestConfig;
import io.inferpulse.ingest.IngestService;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.runtime.config.ConfigParsers;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.runtime.ops.MeterRegistries;
import io.inferpulse.runtime.ops.OpsServer;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.pool.PoolStatsConfig;
import io.inferpulse.streams.pool.PoolStatsService;
import io.micrometer.core.instrument.Metrics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run everything in one process: a Kafka broker, a schema registry, a simulated fleet of vLLM "
                + "servers, ingest and the streams jobs, with a live view of every pool.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    FleetOptions fleetOptions;

    @Option(names = "--scrape-interval", defaultValue = "1s", description = "Scrape interval (default ${DEFAULT-VALUE}).")
    String scrapeInterval;

    @Option(names = "--http-port", defaultValue = "9400",
            description = "Port of /metrics, /healthz and /readyz (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int httpPort;

    @Option(names = "--data-dir", description = "Where Kafka, the streams state and the access log live. Default: a new temporary directory.")
    Path dataDir;

    @Option(names = "--duration", description = "Stop by itself after this long (e.g. 30s); default: run until Ctrl-C.")
    String duration;


    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Optional<Duration> limit = Optional.ofNullable(duration).map(d -> ConfigParsers.POSITIVE_DURATION.parse(d));
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

        out.println("Starting " + fleetOptions.pools + " x " + fleetOptions.pods + " simulated vLLM servers...");
        Path accessLog = dir.resolve("access-log.ndjson");
        SimulateCommand.AccessLogFile log = life.add(SimulateCommand.AccessLogFile.open(accessLog));
        FleetSimulator fleet = life.add(new FleetSimulator(fleetOptions.config(), log::write));
        fleet.start();

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        settings.put(KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString());
        settings.put("http.port", "0");
        Map<String, String> ingestSettings = new LinkedHashMap<>(settings);
        ingestSettings.put(IngestConfig.SCRAPE_INTERVAL.key(), scrapeInterval);
        ingestSettings.put(IngestConfig.ACCESS_LOG_FILES.key(), accessLog.toString());
        Map<String, String> streamsSettings = new LinkedHashMap<>(settings);
        streamsSettings.put(PoolStatsConfig.STATE_DIR.key(), dir.resolve("streams").toString());

        out.println("Starting ingest (scraping, access-log tailing) and the pool-stats streams job...");
        IngestConfig ingestConfig = IngestConfig.of(ingestSettings);
        PoolStatsConfig streamsConfig = PoolStatsConfig.of(streamsSettings);
        IngestService ingest = life.add(IngestService.start(ingestConfig, meters, health, Clock.systemUTC()));
        ingest.setTargets(fleet.endpoints().stream().map(e -> new ScrapeTarget(new PodIdentity(ingestConfig.cluster(),
                e.namespace(), e.pool(), e.pod(), e.address(), Map.of()), e.metricsUri())).toList());
        life.add(PoolStatsService.start(streamsConfig, meters, health));

        var topics = new Topics(new AvroSerdes(life.add(SchemaRegistryClients.create(
                RegistryClientConfig.fromSerdeConfig(ingestConfig.kafka().registryConfig())))));
        PoolView view = life.add(new PoolView(ingestConfig.kafka().clientConfig("inferpulse-demo-view"),
                topics.poolStats(), Clock.systemUTC()));

        out.println();
        out.println("inferpulse demo is running.");
        out.printf("  Kafka            %s (data in %s)%n", broker.bootstrapServers(), dir.resolve("kafka"));
        out.printf("  Schema registry  %s%n", registry.url());
        out.printf("  Metrics, health  %s/metrics  %s/healthz  %s/readyz%n", ops.url(), ops.url(), ops.url());
        out.printf("  Model servers    %d simulated vLLM pods, e.g. %s%n", fleet.endpoints().size(), fleet.endpoints().get(0).metricsUri());
        out.printf("  Access log       %s%n", accessLog);
        out.printf("  Topics           %s -> %s; access log -> %s%n", Topics.POD_METRICS, Topics.POOL_STATS,
                Topics.ACCESS_LOGS);
        out.println(limit.map(l -> "Stopping by itself after " + l.toSeconds() + " s.").orElse("Press Ctrl-C to stop."));
        out.println();
        out.flush();

        boolean terminal = System.console() != null;
        Duration refresh = Duration.ofSeconds(terminal ? 1 : 2);
        Thread renderer = Thread.ofPlatform().name("demo-view").daemon().start(() -> {
            try {
                while (true) {
                    view.render(out, terminal, fleet::arrivalRate);
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
}
