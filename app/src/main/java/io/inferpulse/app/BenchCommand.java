package io.inferpulse.app;

import io.inferpulse.app.bench.PipelineBenchmark;
import io.inferpulse.app.bench.jmh.JmhLauncher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "End-to-end benchmarks on the embedded stack.",
        subcommands = {BenchCommand.Pipeline.class, BenchCommand.Jmh.class})
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

    @Command(name = "jmh", mixinStandardHelpOptions = true,
            customSynopsis = "inferpulse bench jmh [-hV] [REGEX] [-- JMH-ARGS...]",
            description = {"JMH microbenchmarks of the ingest hot path: Prometheus text parsing, the vLLM mapping and "
                    + "the pod-metrics Avro serdes (classes in io.inferpulse.app.bench.jmh).",
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
