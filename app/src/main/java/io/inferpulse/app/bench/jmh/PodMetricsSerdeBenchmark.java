package io.inferpulse.app.bench.jmh;

import io.inferpulse.avro.GpuSample;
import io.inferpulse.avro.LoraInfo;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Avro in the Confluent wire format for the pod-metrics topic, with the serdes of
 * {@link AvroSerdes} over an in-memory registry ({@code mock://jmh}): the schema id is registered
 * in setup and cached by the serializer, as in a producer after its first record, so no registry
 * call is measured. The record has every field set: a pod with its labels, the vLLM gauges, LoRA
 * state, the cache configuration and two GPUs with DCGM fields (1,033 bytes on the wire).
 *
 * <ul>
 *   <li>{@code serialize} and {@code deserialize}: throughput of each direction;</li>
 *   <li>{@code roundTrip}: sample time of one serialize plus one deserialize, in microseconds,
 *       for the per-record percentiles a producer and a streams task each pay once.</li>
 * </ul>
 *
 * <p>Allocation: {@code ./inferpulse bench jmh PodMetricsSerde -- -prof gc}, {@code gc.alloc.rate.norm}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class PodMetricsSerdeBenchmark {

    private static final String TOPIC = Topics.POD_METRICS;

    private Serde<PodMetrics> serde;
    private Serializer<PodMetrics> serializer;
    private Deserializer<PodMetrics> deserializer;
    private PodMetrics record;
    private byte[] wire;

    @Setup(Level.Trial)
    public void setUp() {
        serde = new AvroSerdes(InMemorySchemaRegistryClient.forScope("jmh")).valueSerde(PodMetrics.class);
        serializer = serde.serializer();
        deserializer = serde.deserializer();
        record = podMetrics();
        wire = serializer.serialize(TOPIC, record);   // registers the schema; its id stays cached
        PodMetrics back = deserializer.deserialize(TOPIC, wire);
        if (!record.equals(back)) {
            throw new IllegalStateException("round trip changed the record: " + record + " -> " + back);
        }
        System.out.printf("%nPodMetrics on the wire: %d bytes%n", wire.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        serde.close();
    }

    @Benchmark
    public byte[] serialize() {
        return serializer.serialize(TOPIC, record);
    }

    @Benchmark
    public PodMetrics deserialize() {
        return deserializer.deserialize(TOPIC, wire);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void roundTrip(Blackhole blackhole) {
        byte[] bytes = serializer.serialize(TOPIC, record);
        blackhole.consume(bytes);
        blackhole.consume(deserializer.deserialize(TOPIC, bytes));
    }

    /** One scrape of a busy vLLM pod on two GPUs, with every field of the schema set. */
    static PodMetrics podMetrics() {
        return PodMetrics.newBuilder()
                .setCluster("prod-us-east1")
                .setNamespace("llm-serving")
                .setPool("llama-3-8b-pool")
                .setPod("llama-3-8b-pool-7d9f8c6b5-x2k4q")
                .setAddress("10.8.3.17:8000")
                .setEngine("vllm")
                .setStatus(PodStatus.UP)
                .setSampleTime(Instant.parse("2025-06-01T12:00:00.250Z"))
                .setScrapeDurationSeconds(0.0123)
                .setKvCacheUsageRatio(0.734)
                .setRequestsWaiting(6.0)
                .setRequestsRunning(42.0)
                .setLora(new LoraInfo(4, List.of("sql-lora", "chat-lora-v2"), List.of("summarize-lora")))
                .setCacheConfig(Map.of(
                        "block_size", "16",
                        "cache_dtype", "auto",
                        "enable_prefix_caching", "True",
                        "gpu_memory_utilization", "0.9",
                        "num_cpu_blocks", "None",
                        "num_gpu_blocks", "27910"))
                .setGpus(List.of(gpu("0", 87.0, 71_210.0, 10_310.0, 612.4, 71.0),
                        gpu("1", 85.0, 71_198.0, 10_322.0, 598.9, 69.0)))
                .setLabels(Map.of(
                        "app", "llama-3-8b",
                        "pod-template-hash", "7d9f8c6b5",
                        "inference.networking.x-k8s.io/pool", "llama-3-8b-pool",
                        "app.kubernetes.io/managed-by", "helm",
                        "topology.kubernetes.io/zone", "us-east1-c"))
                .build();
    }

    private static GpuSample gpu(String index, double util, double fbUsed, double fbFree, double watts, double celsius) {
        return GpuSample.newBuilder()
                .setGpu(index)
                .setUuid("GPU-3f1c2a9e-8b4d-4e21-9c7a-" + index.repeat(12))
                .setModelName("NVIDIA H100 80GB HBM3")
                .setHostname("gke-inference-a3-highgpu-2g-5c1e")
                .setUtilizationPercent(util)
                .setFramebufferUsedMib(fbUsed)
                .setFramebufferFreeMib(fbFree)
                .setPowerWatts(watts)
                .setTemperatureCelsius(celsius)
                .setOther(Map.of(
                        "DCGM_FI_DEV_SM_CLOCK", 1_980.0,
                        "DCGM_FI_DEV_MEM_CLOCK", 2_619.0,
                        "DCGM_FI_PROF_GR_ENGINE_ACTIVE", 0.91,
                        "DCGM_FI_PROF_DRAM_ACTIVE", 0.64))
                .build();
    }
}
