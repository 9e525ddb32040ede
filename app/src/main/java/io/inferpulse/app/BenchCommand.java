package io.inferpulse.app;

import io.inferpulse.app.bench.AccessLogBenchmark;
import io.inferpulse.app.bench.ExtProcBenchmark;
import io.inferpulse.app.bench.FreshnessBenchmark;
import io.inferpulse.app.bench.MetricsApiBenchmark;
import io.inferpulse.app.bench.PipelineBenchmark;
import io.inferpulse.app.bench.QuantileAccuracyBenchmark;
import io.inferpulse.app.bench.RequestStatsBenchmark;
import io.inferpulse.app.bench.RoutingBenchmark;
import io.inferpulse.app.bench.ScrapeBenchmark;
import io.inferpulse.app.bench.jmh.JmhLauncher;
import io.inferpulse.runtime.config.ConfigParsers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.routerfeed.pick.PickerSettings;
import io.inferpulse.routerfeed.pick.Strategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "End-to-end benchmarks on the embedded stack.",
        subcommands = {BenchCommand.Pipeline.class, BenchCommand.Scrape.class, BenchCommand.ScrapeTargets.class,
                BenchCommand.AccessLogs.class, BenchCommand.RequestStats.class, BenchCommand.Quantiles.class,
                BenchCommand.MetricsApi.class, BenchCommand.Freshness.class, BenchCommand.Routing.class,
                BenchCommand.ExtProc.class, BenchCommand.Jmh.class})
final class BenchCommand {

    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = "Pod samples through ingest's publisher, Kafka and the pool-stats job: throughput, then "
                    + "sample-to-pool-stats latency at a fixed rate.")
    static final class Pipeline implements Callable<Integer> {
        @Option(names = "--pools", defaultValue = "100", description = "Pools (default ${DEFAULT-VALUE}).")
        int pools;

        @Option(names = "--pods", defaultValue = "50", description = "Pods per pool (default ${DEFAULT-VALUE}).")
        int pods;

        @Option(names = "--samples", defaultValue = "1000000", description = "Samples in the throughput run (default ${DEFAULT-VALUE}).")
        int samples;

        @Option(names = "--rate", defaultValue = "10000", description = "Samples/s in the latency run (default ${DEFAULT-VALUE}).")
        int rate;

        @Option(names = "--seconds", defaultValue = "30", description = "Length of the latency run (default ${DEFAULT-VALUE}).")
        int seconds;

        @Override
        public Integer call() throws Exception {
            new PipelineBenchmark(pools, pods, System.out).run(samples, rate, seconds);
            return 0;
        }
    }

    @Command(name = "scrape", mixinStandardHelpOptions = true,
            description = {"The scraper at fleet scale: simulated vLLM targets, served by a second JVM, scraped at one "
                    + "interval with parsing and the vLLM mapping (no Kafka).",
                    "Prints scrapes/s achieved vs expected, errors, p50/p99 scrape duration and this process's CPU use "
                            + "in cores, the target JVM's excluded."})
    static final class Scrape implements Callable<Integer> {
        @Option(names = "--targets", defaultValue = "1000", description = "Targets (default ${DEFAULT-VALUE}).")
        int targets;

        @Option(names = "--interval", defaultValue = "1s", description = "Scrape interval (default ${DEFAULT-VALUE}).")
        String interval;

        @Option(names = "--seconds", defaultValue = "30", description = "Length of the measured run (default ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--warmup", defaultValue = "5", description = "Seconds scraped before measuring (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--concurrency", defaultValue = "256",
                description = "Scrapes at once, as scrape.max.concurrency (default ${DEFAULT-VALUE}).")
        int concurrency;

        @Override
        public Integer call() throws Exception {
            new ScrapeBenchmark(System.out).run(targets, ConfigParsers.POSITIVE_DURATION.parse(interval), seconds,
                    Duration.ofSeconds(warmup), concurrency);
            return 0;
        }
    }

    /** The targets of {@code bench scrape}, which starts this in its own JVM. */
    @Command(name = "scrape-targets", hidden = true)
    static final class ScrapeTargets implements Callable<Integer> {
        @Option(names = "--count", required = true)
        int count;

        @Override
        public Integer call() throws Exception {
            ScrapeBenchmark.serveTargets(count, System.out);
            return 0;
        }
    }

    @Command(name = "access-logs", mixinStandardHelpOptions = true,
            description = "Google Cloud load-balancer access-log lines through the receivers' pipeline (UTF-8 check, gcp-lb "
                    + "parser, Avro, produce with acks=all) on the embedded broker: lines/s parsed, then lines/s acknowledged.")
    static final class AccessLogs implements Callable<Integer> {
        @Option(names = "--lines", defaultValue = "500000", description = "Lines in each run (default ${DEFAULT-VALUE}).")
        int lines;

        @Override
        public Integer call() throws Exception {
            new AccessLogBenchmark(System.out).run(lines);
            return 0;
        }
    }

    @Command(name = "quantiles", mixinStandardHelpOptions = true,
            description = "Accuracy of latency quantiles (P50, P90, P99) on generated distributions with fixed seeds: "
                    + "DDSketch (1%% relative accuracy, as the request-stats job) and Prometheus's histogram_quantile over "
                    + "the EPP's request-duration buckets, each against the exact value. No Kafka.")
    static final class Quantiles implements Callable<Integer> {
        @Option(names = "--samples", defaultValue = "200000", description = "Latencies per distribution (default ${DEFAULT-VALUE}).")
        int samples;

        @Override
        public Integer call() {
            new QuantileAccuracyBenchmark(System.out).run(samples);
            return 0;
        }
    }

    @Command(name = "request-stats", mixinStandardHelpOptions = true,
            description = "Generated access logs through the request-statistics job on the embedded broker (pool windows, "
                    + "model repartition, model windows): lines/s until every model's last window is out.")
    static final class RequestStats implements Callable<Integer> {
        @Option(names = "--lines", defaultValue = "1000000", description = "Access-log lines (default ${DEFAULT-VALUE}).")
        int lines;

        @Option(names = "--pools", defaultValue = "100", description = "Pools (default ${DEFAULT-VALUE}).")
        int pools;

        @Option(names = "--models", defaultValue = "20", description = "Models, each with a second target (default ${DEFAULT-VALUE}).")
        int models;

        @Override
        public Integer call() throws Exception {
            new RequestStatsBenchmark(pools, models, System.out).run(lines);
            return 0;
        }
    }

    @Command(name = "metrics-api", mixinStandardHelpOptions = true,
            description = "The external metrics API on the embedded broker over HTTPS on loopback: request latency under "
                    + "concurrent clients while pool-stats records stream in, and how far behind the newest record the "
                    + "value served is.")
    static final class MetricsApi implements Callable<Integer> {
        @Option(names = "--pools", defaultValue = "100", description = "Pools (default ${DEFAULT-VALUE}).")
        int pools;

        @Option(names = "--update-interval", defaultValue = "1s",
                description = "Each pool's pool-stats record is rewritten this often (default ${DEFAULT-VALUE}).")
        String updateInterval;

        @Option(names = "--clients", defaultValue = "16", description = "Client threads, each one request at a time "
                + "(default ${DEFAULT-VALUE}).")
        int clients;

        @Option(names = "--rate", defaultValue = "1000", description = "Requests/s over all clients; 0 for a closed loop, each "
                + "client as fast as it can (default ${DEFAULT-VALUE}).")
        int rate;

        @Option(names = "--seconds", defaultValue = "30", description = "Length of the measured run (default ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--warmup", defaultValue = "10", description = "Seconds before measuring (default ${DEFAULT-VALUE}).")
        int warmup;

        @Override
        public Integer call() throws Exception {
            new MetricsApiBenchmark(System.out).run(pools, ConfigParsers.POSITIVE_DURATION.parse(updateInterval), clients, rate,
                    seconds, warmup);
            return 0;
        }
    }

    @Command(name = "routing", mixinStandardHelpOptions = true,
            description = {"Score-based picking against round robin on the same simulated load: two fleets from one "
                    + "configuration and seed side by side, one routed round robin, the other through the whole routing path "
                    + "(scrape, endpoint-scores job, Kafka, endpoint table, picker).",
                    "Prints request latency (p50/p90/p99/max) of each over the measured stretch."})
    static final class Routing implements Callable<Integer> {
        @Mixin
        FleetOptions fleet;

        @Option(names = "--load", defaultValue = "1.6", description = "Arrival rate as a multiple of the demo's "
                + FleetConfig.DEMO_RPS_PER_POD + " requests/s per pod (default ${DEFAULT-VALUE}).")
        double load;

        @Option(names = "--strategy", defaultValue = "max-score",
                description = "max-score, weighted-random or power-of-two (default ${DEFAULT-VALUE}).")
        String strategy;

        @Option(names = "--scrape-interval", defaultValue = "200ms", description = "Scrape interval (default ${DEFAULT-VALUE}).")
        String scrapeInterval;

        @Option(names = "--warmup", defaultValue = "30s", description = "Before measuring (default ${DEFAULT-VALUE}).")
        String warmup;

        @Option(names = "--duration", defaultValue = "120s", description = "Measured stretch (default ${DEFAULT-VALUE}).")
        String duration;

        @Override
        public Integer call() throws Exception {
            System.out.printf("fleet: %d pools x %d pods, %d per pool at %.0f %% speed; load %.1f times the demo's %.1f "
                    + "requests/s per pod%n", fleet.pools, fleet.pods, fleet.slowPods, 100 * fleet.slowShare, load,
                    FleetConfig.DEMO_RPS_PER_POD);
            PickerSettings picking = PickerSettings.defaults().withStrategy(ConfigParsers.enumOf(Strategy.class).parse(strategy));
            new RoutingBenchmark(System.out).run(routing -> fleet.config(routing, load), fleet::scaleToStart,
                    ConfigParsers.POSITIVE_DURATION.parse(scrapeInterval), picking,
                    ConfigParsers.POSITIVE_DURATION.parse(warmup), ConfigParsers.POSITIVE_DURATION.parse(duration));
            return 0;
        }
    }

    @Command(name = "ext-proc", mixinStandardHelpOptions = true,
            description = {"The Endpoint Picker Protocol server on loopback at a fixed rate: each request its own ext_proc "
                    + "stream (headers, chat body, destination, response through, close), the real score picker over an "
                    + "in-memory pool, no Kafka.",
                    "Open loop: latency counts from when a request was due, so stalls are charged to every request they "
                            + "delayed. Prints p50/p90/p99/p99.9 until the destination arrived and for the whole stream."})
    static final class ExtProc implements Callable<Integer> {
        @Option(names = "--rate", defaultValue = "2000", description = "Requests/s (default ${DEFAULT-VALUE}).")
        int rate;

        @Option(names = "--duration", defaultValue = "30s", description = "Length of the measured run (default ${DEFAULT-VALUE}).")
        String duration;

        @Option(names = "--warmup", defaultValue = "10s", description = "Run before measuring (default ${DEFAULT-VALUE}).")
        String warmup;

        @Option(names = "--endpoints", defaultValue = "100", description = "Endpoints in the pool (default ${DEFAULT-VALUE}).")
        int endpoints;

        @Option(names = "--connections", defaultValue = "2", description = "HTTP/2 connections the requests are spread "
                + "over, as a gateway keeps a few to its EPP (default ${DEFAULT-VALUE}).")
        int connections;

        @Override
        public Integer call() throws Exception {
            new ExtProcBenchmark(System.out).run(rate, ConfigParsers.POSITIVE_DURATION.parse(duration),
                    ConfigParsers.DURATION.parse(warmup), endpoints, connections);
            return 0;
        }
    }

    @Command(name = "freshness", mixinStandardHelpOptions = true,
            description = "Pod samples through ingest's publisher, the embedded broker and the endpoint-scores job into a "
                    + "router-feed endpoint table: for each sample, the time until the table's snapshot shows it "
                    + "(p50/p90/p99/max).")
    static final class Freshness implements Callable<Integer> {
        @Option(names = "--pools", defaultValue = "10", description = "Pools (default ${DEFAULT-VALUE}).")
        int pools;

        @Option(names = "--pods", defaultValue = "10", description = "Pods per pool (default ${DEFAULT-VALUE}).")
        int pods;

        @Option(names = "--hz", defaultValue = "1", description = "Samples per pod per second (default ${DEFAULT-VALUE}).")
        double hz;

        @Option(names = "--seconds", defaultValue = "30", description = "Length of the measured run (default ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--warmup", defaultValue = "5", description = "Seconds sent before measuring (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "A setting of the endpoint-scores job, e.g. --set streams.commit.interval.ms=100 (repeatable).")
        Map<String, String> settings = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            new FreshnessBenchmark(pools, pods, settings, System.out).run(hz, seconds, warmup);
            return 0;
        }
    }

    @Command(name = "jmh", mixinStandardHelpOptions = true,
            customSynopsis = "inferpulse bench jmh [-hV] [REGEX] [-- JMH-ARGS...]",
            description = {"JMH microbenchmarks of the hot paths: ingest's Prometheus text parsing, vLLM mapping and "
                    + "pod-metrics Avro serdes, the picker's pick and the ext_proc round trip (classes in "
                    + "io.inferpulse.app.bench.jmh).",
                    "Defaults for a 2-core machine, each overridden by its JMH option: " + JmhLauncher.DEFAULTS_TEXT
                            + ". The whole default run takes about 3 minutes.",
                    "Examples: bench jmh Parse -- -prof gc;  bench jmh -- -l;  bench jmh -- -h (JMH's options)."})
    static final class Jmh implements Callable<Integer> {
        @Parameters(paramLabel = "REGEX", arity = "0..*",
                description = "Benchmarks to run (a regular expression on their names, default all), then after -- "
                        + "any JMH options, e.g. -- -f 2 -i 10 -prof gc -rf json.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            return JmhLauncher.run(args);
        }
    }
}
