package io.inferpulse.app.bench;

import io.inferpulse.app.routing.PickerRouting;
import io.inferpulse.app.routing.RoutingTally;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.devstack.fleet.FleetSimulator;
import io.inferpulse.devstack.fleet.RoutingPolicy;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.ingest.IngestConfig;
import io.inferpulse.ingest.IngestService;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.routerfeed.pick.PickerSettings;
import io.inferpulse.routerfeed.pick.ScorePicker;
import io.inferpulse.routerfeed.policy.BackendPolicies;
import io.inferpulse.routerfeed.table.EndpointTable;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.score.ScoreConfig;
import io.inferpulse.streams.score.ScoreJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Score-based picking against round robin on the same simulated load: two fleets built from one
 * configuration and seed, running side by side on the wall clock, so both see the same arrival
 * process, the same request sizes and the same machine. One routes round robin. The other is
 * scraped by ingest, its samples become endpoint scores in the scores job, the endpoint table reads
 * them from Kafka and its gateway asks the picker for every request: the whole routing path, with
 * the freshness it really has. Latency is what each gateway logs, from receipt to the end of the
 * response, over the measured stretch after a warm-up.
 */
public final class RoutingBenchmark {
    private final PrintStream out;

    public RoutingBenchmark(PrintStream out) {
        this.out = out;
    }

    /**
     * @param configFor the fleet's configuration with the given gateway routing
     * @param shape scales a new fleet's pools to the pods they run and slows down any slow pods, alike in both fleets
     */
    public void run(Function<RoutingPolicy, FleetConfig> configFor, Consumer<FleetSimulator> shape, Duration scrapeInterval,
                    PickerSettings picking, Duration warmup, Duration measured) throws Exception {
        Path dir = Files.createTempDirectory("inferpulse-bench-routing-");
        out.printf("bench routing: %s picking vs round robin, scrape every %d ms, warm-up %d s, measured %d s, %d cores, "
                        + "JVM %s%n",
                picking.strategy().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), scrapeInterval.toMillis(),
                warmup.toSeconds(), measured.toSeconds(), Runtime.getRuntime().availableProcessors(), Runtime.version());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             DevSchemaRegistry registry = DevSchemaRegistry.start(
                     new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0))) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), registry.url().toString());
            TopicSetup.ensure(kafka, Topics.SPECS);
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
            settings.put(KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString());
            settings.put("http.port", "0");
            Map<String, String> ingestSettings = new LinkedHashMap<>(settings);
            ingestSettings.put(IngestConfig.SCRAPE_INTERVAL.key(), scrapeInterval.toMillis() + "ms");
            Map<String, String> scoreSettings = new LinkedHashMap<>(settings);
            scoreSettings.put(ScoreConfig.STATE_DIR.key(), dir.resolve("scores").toString());
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            HealthChecks health = new HealthChecks();
            IngestConfig ingestConfig = IngestConfig.of(ingestSettings);

            RoutingTally roundRobinTally = new RoutingTally();
            RoutingTally pickerTally = new RoutingTally();
            try (EndpointTable table = EndpointTable.start(kafka, "inferpulse-bench-routing", meters, health);
                 StreamsJob scores = StreamsJob.start(ScoreJob.spec(ScoreConfig.of(scoreSettings), meters), meters, health)) {
                PickerRouting routing = new PickerRouting(ScorePicker.following(table, picking, () -> BackendPolicies.NONE,
                        Clock.systemUTC()), ingestConfig.cluster());
                try (FleetSimulator roundRobin = new FleetSimulator(configFor.apply(RoutingPolicy.roundRobin()), roundRobinTally);
                     FleetSimulator picked = new FleetSimulator(configFor.apply(routing), routing.finishing(pickerTally));
                     IngestService ingest = IngestService.start(ingestConfig, meters, health, Clock.systemUTC())) {
                    routing.bind(picked.endpoints());
                    shape.accept(roundRobin);
                    shape.accept(picked);
                    ingest.setTargets(picked.activeEndpoints().stream().map(e -> new ScrapeTarget(
                            new PodIdentity(ingestConfig.cluster(), e.namespace(), e.pool(), e.pod(), e.address(), Map.of()),
                            e.metricsUri())).toList());
                    roundRobin.start();
                    picked.start();
                    out.printf("warming up for %d s...%n", warmup.toSeconds());
                    Thread.sleep(warmup.toMillis());
                    roundRobinTally.reset();
                    pickerTally.reset();
                    long pickedBefore = routing.picked();
                    long fellBackBefore = routing.fellBack();
                    for (long left = measured.toSeconds(); left > 0; left -= 10) {
                        out.printf("measuring, %d s left...%n", left);
                        Thread.sleep(Duration.ofSeconds(Math.min(10, left)).toMillis());
                    }
                    roundRobinTally.stop();
                    pickerTally.stop();
                    report(roundRobinTally.figures(), pickerTally.figures(), routing.picked() - pickedBefore,
                            routing.fellBack() - fellBackBefore);
                }
            }
        }
    }

    private void report(RoutingTally.Figures roundRobin, RoutingTally.Figures picker, long picked, long fellBack) {
        out.println();
        out.printf("%-14s %9s %7s %9s %9s %9s %9s%n", "routing", "requests", "errors", "p50 s", "p90 s", "p99 s", "max s");
        row("round robin", roundRobin);
        row("picker", picker);
        out.printf("p99 picker / round robin: %.2f; picker answered %d requests, %d went round robin (no usable pick)%n",
                picker.p99() / roundRobin.p99(), picked, fellBack);
    }

    private void row(String name, RoutingTally.Figures f) {
        out.printf("%-14s %9d %7d %9.3f %9.3f %9.3f %9.3f%n", name, f.requests(), f.errors(), f.p50(), f.p90(), f.p99(), f.max());
    }
}
