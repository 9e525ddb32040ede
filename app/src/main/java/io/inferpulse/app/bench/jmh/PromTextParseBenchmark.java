package io.inferpulse.app.bench.jmh;

import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.PromTextParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PromTextParser#parse(byte[], int)}, the first step of every scrape: UTF-8 decoding and
 * parsing of a whole /metrics body into an {@link Exposition}.
 *
 * <ul>
 *   <li>{@code parse}, throughput, on two bodies ({@code body} parameter): {@code vllm}, one pod's
 *       /metrics fetched from the simulated vLLM fleet after a minute of simulated load (5,972
 *       bytes, 11 families, 59 samples: the v1 engine's queue, KV-cache, LoRA and cache-config
 *       gauges, token counters and two histograms; a real vLLM server exposes more families, so
 *       its body is several times larger), and {@code synthetic}, a generated exposition of 200
 *       families and 4,800 labelled samples (662,859 bytes; see {@code Bodies.synthetic()}).
 *       Bytes per second = ops/s x body size; the secondary row {@code parse:bytes} measures it
 *       directly (its "ops/s" are body bytes per second). Setup prints each body's size at the
 *       start of its fork.</li>
 *   <li>{@code parseVllmLatency}, sample time on the vLLM body: the distribution of single
 *       parses (p50 ... p99.99), which shows GC pauses that an average hides.</li>
 * </ul>
 *
 * <p>Allocation per parse: add JMH's GC profiler,
 * {@code ./inferpulse bench jmh PromTextParse -- -prof gc}, and read {@code gc.alloc.rate.norm}
 * (bytes allocated per operation) and {@code gc.count}. The parser allocates a char array the size
 * of the body, then the samples, label maps and strings of the exposition; the normalized figure
 * should scale with the body, not grow between iterations.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PromTextParseBenchmark {

    /** The body of {@link #parse}, chosen by the {@code body} parameter. */
    @State(Scope.Benchmark)
    public static class Input {
        @Param({"vllm", "synthetic"})
        public String body;

        byte[] bytes;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            bytes = switch (body) {
                case "vllm" -> Bodies.vllm();
                case "synthetic" -> Bodies.synthetic();
                default -> throw new IllegalArgumentException("unknown body " + body);
            };
            // Checks that the body parses, and prints its size: bytes/s = ops/s x size.
            Exposition parsed = PromTextParser.parse(bytes, PromTextParser.DEFAULT_MAX_BODY_BYTES);
            System.out.printf("%n%s body: %,d bytes, %d families, %,d samples%n", body, bytes.length,
                    parsed.families().size(), parsed.samples().size());
        }
    }

    /** Counts parsed body bytes next to the operations: its ops/s row reads as bytes/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Benchmark
    public Exposition parse(Input input, Bytes counter) {
        counter.bytes += input.bytes.length;
        return PromTextParser.parse(input.bytes, PromTextParser.DEFAULT_MAX_BODY_BYTES);
    }

    /** The vLLM body alone, for {@link #parseVllmLatency}. */
    @State(Scope.Benchmark)
    public static class VllmBody {
        byte[] bytes;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            bytes = Bodies.vllm();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Exposition parseVllmLatency(VllmBody vllm) {
        return PromTextParser.parse(vllm.bytes, PromTextParser.DEFAULT_MAX_BODY_BYTES);
    }
}
