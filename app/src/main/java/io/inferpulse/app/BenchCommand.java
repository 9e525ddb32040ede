package io.inferpulse.app;

import io.inferpulse.app.bench.PipelineBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "End-to-end benchmarks on the embedded stack.",
        subcommands = BenchCommand.Pipeline.class)
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
}
