package io.inferpulse.app.bench.jmh;

import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.ingest.engine.VllmMapping;
import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.PromTextParser;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code new VllmMapping().map(...)}, the step after parsing in every vLLM scrape: one pass over
 * the parsed samples of a simulated vLLM pod's /metrics (fetched once from the fleet simulator)
 * that picks the queue, running, KV-cache, LoRA and cache-config series and builds the
 * {@link PodSample}. The mapping object is created in the benchmark, as the scraper may; it holds
 * no state, so this costs one small allocation.
 *
 * <p>Throughput only: one mapping takes well under a microsecond, too close to the timer's
 * resolution for a useful per-call percentile. Average time per mapping is 1 / (ops/s).
 * Allocation: {@code ./inferpulse bench jmh VllmMapping -- -prof gc}, {@code gc.alloc.rate.norm}
 * (the PodSample, its optionals and copied maps, and the LoRA adapter lists).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class VllmMappingBenchmark {

    private PodIdentity who;
    private Exposition exposition;
    private Instant sampleTime;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        exposition = PromTextParser.parse(Bodies.vllm(), PromTextParser.DEFAULT_MAX_BODY_BYTES);
        who = new PodIdentity("prod-us-east1", "llm-serving", "llama-3-8b-pool", "llama-3-8b-pool-7d9f8c6b5-x2k4q",
                "10.8.3.17:8000", Map.of(
                        "app", "llama-3-8b",
                        "pod-template-hash", "7d9f8c6b5",
                        "inference.networking.x-k8s.io/pool", "llama-3-8b-pool"));
        sampleTime = Instant.parse("2025-06-01T12:00:00.250Z");
        PodSample check = new VllmMapping().map(who, exposition, sampleTime, 0.012);
        if (check.requestsRunning().isEmpty() || check.kvCacheUsageRatio().isEmpty()) {
            throw new IllegalStateException("the simulated vLLM body did not map: " + check);
        }
    }

    @Benchmark
    public PodSample map() {
        return new VllmMapping().map(who, exposition, sampleTime, 0.012);
    }
}
