package io.inferpulse.devstack.fleet;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Everything a {@link FleetSimulator} needs: which pools and pods exist, how each simulated vLLM pod behaves, what
 * load arrives and how the simulated gateway logs it.
 *
 * <p>Build one with {@link #builder()}; every knob has a default that gives a lively demo. The same config and seed,
 * driven by {@link FleetSimulator#advance(Duration)} with a fixed {@link #clock()}, reproduce the same fleet history.
 *
 * @param cluster        cluster name the gateway logs carry (label {@code cluster_name})
 * @param namespace      Kubernetes namespace of every pool
 * @param poolNames      InferencePool names, one per pool; unique
 * @param podsPerPool    model-server pods in each pool
 * @param baseModels     served model names; pool {@code i} serves {@code baseModels[i % size]}
 * @param seed           seeds every random draw (arrivals, request sizes, pod names, log ids)
 * @param tick           period of the real-time tick thread; {@link Duration#ZERO} means no tick thread, the caller
 *                       drives simulated time with {@link FleetSimulator#advance(Duration)}
 * @param clock          wall-clock origin of simulated time; log timestamps are this clock's instant at construction
 *                       plus simulated time elapsed
 * @param pod            behaviour of every pod
 * @param workload       shape of the requests
 * @param arrivalProfile request rate of each pool over simulated time
 * @param routingPolicy  how the gateway picks a pod for a request
 * @param gateway        the Google Cloud load balancer the access logs pretend to come from
 */
public record FleetConfig(
        String cluster,
        String namespace,
        List<String> poolNames,
        int podsPerPool,
        List<String> baseModels,
        long seed,
        Duration tick,
        Clock clock,
        Pod pod,
        Workload workload,
        ArrivalProfile arrivalProfile,
        RoutingPolicy routingPolicy,
        Gateway gateway) {

    public FleetConfig {
        requireName(cluster, "cluster");
        requireName(namespace, "namespace");
        poolNames = List.copyOf(poolNames);
        if (poolNames.isEmpty()) {
            throw new IllegalArgumentException("at least one pool is needed");
        }
        poolNames.forEach(name -> requireName(name, "pool name"));
        if (new HashSet<>(poolNames).size() != poolNames.size()) {
            throw new IllegalArgumentException("pool names must be unique: " + poolNames);
        }
        if (podsPerPool < 1) {
            throw new IllegalArgumentException("podsPerPool must be >= 1, was " + podsPerPool);
        }
        baseModels = List.copyOf(baseModels);
        if (baseModels.isEmpty()) {
            throw new IllegalArgumentException("at least one base model is needed");
        }
        baseModels.forEach(model -> requireName(model, "base model"));
        Objects.requireNonNull(tick, "tick");
        if (tick.isNegative()) {
            throw new IllegalArgumentException("tick must not be negative, was " + tick);
        }
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(arrivalProfile, "arrivalProfile");
        Objects.requireNonNull(routingPolicy, "routingPolicy");
        Objects.requireNonNull(gateway, "gateway");
    }

    /** A fleet of two pools of three pods under the demo load profile, ticking in real time. */
    public static FleetConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The model pool number {@code poolIndex} serves. */
    public String baseModel(int poolIndex) {
        return baseModels.get(poolIndex % baseModels.size());
    }

    /** True when no tick thread runs and only {@link FleetSimulator#advance(Duration)} moves simulated time. */
    public boolean manualTime() {
        return tick.isZero();
    }

    private static void requireName(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    /**
     * One simulated vLLM model server.
     *
     * @param maxNumSeqs             requests decoded concurrently (vLLM {@code --max-num-seqs})
     * @param maxQueueLength         waiting requests a pod accepts; the gateway answers 503 when every pod of a pool
     *                               has this many waiting
     * @param numGpuBlocks           KV-cache blocks; with {@code blockSize} this is the KV capacity in tokens
     * @param blockSize              tokens per KV-cache block
     * @param maxModelLen            longest sequence (prompt plus output) a request may reach; must fit the KV cache so
     *                               a request alone can always run
     * @param maxLora                adapters the server may hold at once ({@code max_lora} of
     *                               {@code vllm:lora_requests_info})
     * @param prefillTokensPerSecond prompt tokens one request prefills per second
     * @param decodeTokensPerSecond  tokens one request decodes per second when it runs alone
     * @param decodeContention       per-request decode slowdown for each other running request: the rate is
     *                               {@code decodeTokensPerSecond / (1 + decodeContention * (running - 1))}
     */
    public record Pod(
            int maxNumSeqs,
            int maxQueueLength,
            int numGpuBlocks,
            int blockSize,
            int maxModelLen,
            int maxLora,
            double prefillTokensPerSecond,
            double decodeTokensPerSecond,
            double decodeContention) {

        public Pod {
            requirePositive(maxNumSeqs, "maxNumSeqs");
            requirePositive(maxQueueLength, "maxQueueLength");
            requirePositive(numGpuBlocks, "numGpuBlocks");
            requirePositive(blockSize, "blockSize");
            requirePositive(maxModelLen, "maxModelLen");
            if (maxModelLen < 2) {
                throw new IllegalArgumentException("maxModelLen must leave room for a prompt and an output token");
            }
            if ((long) maxModelLen > (long) numGpuBlocks * blockSize) {
                throw new IllegalArgumentException("maxModelLen " + maxModelLen + " exceeds the KV cache of "
                        + (long) numGpuBlocks * blockSize + " tokens, so a long request could never run");
            }
            requirePositive(maxLora, "maxLora");
            if (!(prefillTokensPerSecond > 0) || !(decodeTokensPerSecond > 0)) {
                throw new IllegalArgumentException("token rates must be positive");
            }
            if (!(decodeContention >= 0)) {
                throw new IllegalArgumentException("decodeContention must be >= 0, was " + decodeContention);
            }
        }

        /** A mid-size GPU serving an 8B model: 64 sequences, 2048 blocks of 16 tokens. */
        public static Pod defaults() {
            return new Pod(64, 128, 2048, 16, 8192, 4, 10_000, 50, 0.02);
        }

        /** KV-cache capacity in tokens. */
        public int kvCapacityTokens() {
            return numGpuBlocks * blockSize;
        }

        private static void requirePositive(int value, String what) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be >= 1, was " + value);
            }
        }
    }

    /**
     * What clients ask for. Token counts are lognormal; a sigma of 0 makes every request exactly the median.
     *
     * @param medianPromptTokens median prompt length
     * @param promptSigma        lognormal shape of prompt lengths
     * @param medianOutputTokens median output length the client wants
     * @param outputSigma        lognormal shape of output lengths
     * @param loraAdapters       adapter names a request may name instead of the base model
     * @param loraFraction       share of requests, 0..1, that name one of {@code loraAdapters}
     */
    public record Workload(
            double medianPromptTokens,
            double promptSigma,
            double medianOutputTokens,
            double outputSigma,
            List<String> loraAdapters,
            double loraFraction) {

        public Workload {
            if (!(medianPromptTokens >= 1) || !(medianOutputTokens >= 1)) {
                throw new IllegalArgumentException("median token counts must be >= 1");
            }
            if (!(promptSigma >= 0) || !(outputSigma >= 0)) {
                throw new IllegalArgumentException("sigmas must be >= 0");
            }
            loraAdapters = List.copyOf(loraAdapters);
            loraAdapters.forEach(adapter -> requireName(adapter, "LoRA adapter"));
            if (!(loraFraction >= 0 && loraFraction <= 1)) {
                throw new IllegalArgumentException("loraFraction must be in 0..1, was " + loraFraction);
            }
            if (loraFraction > 0 && loraAdapters.isEmpty()) {
                throw new IllegalArgumentException("loraFraction > 0 needs at least one adapter");
            }
        }

        /** Chat-like traffic: prompts around 500 tokens, outputs around 200, a quarter on LoRA adapters. */
        public static Workload defaults() {
            return new Workload(500, 0.6, 200, 0.5, List.of("sql-lora", "tweet-summary"), 0.25);
        }
    }

    /**
     * The regional external Application Load Balancer that fronts the pools.
     *
     * @param projectId           Google Cloud project id
     * @param projectNumber       Google Cloud project number
     * @param region              region of the load balancer
     * @param gatewayName         Kubernetes Gateway name; GKE derives the load balancer resource names from it
     * @param host                host clients address, as it appears in {@code requestUrl}
     * @param backgroundErrorRate share of requests, 0..1, that the backend answers with 500 at once
     */
    public record Gateway(
            String projectId,
            long projectNumber,
            String region,
            String gatewayName,
            String host,
            double backgroundErrorRate) {

        public Gateway {
            requireName(projectId, "projectId");
            requireName(region, "region");
            requireName(gatewayName, "gatewayName");
            requireName(host, "host");
            if (projectNumber < 1) {
                throw new IllegalArgumentException("projectNumber must be positive");
            }
            if (!(backgroundErrorRate >= 0 && backgroundErrorRate <= 1)) {
                throw new IllegalArgumentException("backgroundErrorRate must be in 0..1, was " + backgroundErrorRate);
            }
        }

        public static Gateway defaults() {
            return new Gateway("inferpulse-dev", 123456789012L, "us-central1", "inference-gateway",
                    "llm.example.com", 0.002);
        }
    }

    /** Demo load per pod: fills about half a pod's KV cache, so a burst on a sine peak fills it and queues. */
    public static final double DEMO_RPS_PER_POD = 2.5;

    /** Collects a {@link FleetConfig}; unset knobs take their defaults. */
    public static final class Builder {

        private String cluster = "dev";
        private String namespace = "default";
        private List<String> poolNames = poolNames(2);
        private int podsPerPool = 3;
        private List<String> baseModels = List.of("llama3-8b", "mistral-7b", "qwen2-7b");
        private long seed = 1L;
        private Duration tick = Duration.ofMillis(10);
        private Clock clock = Clock.systemUTC();
        private Pod pod = Pod.defaults();
        private Workload workload = Workload.defaults();
        private ArrivalProfile arrivalProfile;
        private RoutingPolicy routingPolicy = RoutingPolicy.roundRobin();
        private Gateway gateway = Gateway.defaults();

        private Builder() {
        }

        public Builder cluster(String cluster) {
            this.cluster = cluster;
            return this;
        }

        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** Names the pools {@code pool-0 .. pool-(count-1)}. */
        public Builder pools(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("at least one pool is needed, was " + count);
            }
            this.poolNames = poolNames(count);
            return this;
        }

        public Builder poolNames(List<String> poolNames) {
            this.poolNames = new ArrayList<>(poolNames);
            return this;
        }

        public Builder podsPerPool(int podsPerPool) {
            this.podsPerPool = podsPerPool;
            return this;
        }

        public Builder baseModels(List<String> baseModels) {
            this.baseModels = new ArrayList<>(baseModels);
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder tick(Duration tick) {
            this.tick = tick;
            return this;
        }

        /** No tick thread: simulated time moves only through {@link FleetSimulator#advance(Duration)}. */
        public Builder manualTime() {
            return tick(Duration.ZERO);
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder pod(Pod pod) {
            this.pod = pod;
            return this;
        }

        public Builder workload(Workload workload) {
            this.workload = workload;
            return this;
        }

        /** Defaults to {@link ArrivalProfile#demo(double)} with a baseline of 2.5 requests/s per pod. */
        public Builder arrivalProfile(ArrivalProfile arrivalProfile) {
            this.arrivalProfile = arrivalProfile;
            return this;
        }

        public Builder routingPolicy(RoutingPolicy routingPolicy) {
            this.routingPolicy = routingPolicy;
            return this;
        }

        public Builder gateway(Gateway gateway) {
            this.gateway = gateway;
            return this;
        }

        public FleetConfig build() {
            ArrivalProfile profile = arrivalProfile != null
                    ? arrivalProfile
                    : ArrivalProfile.demo(DEMO_RPS_PER_POD * podsPerPool);
            return new FleetConfig(cluster, namespace, poolNames, podsPerPool, baseModels, seed, tick, clock, pod,
                    workload, profile, routingPolicy, gateway);
        }

        private static List<String> poolNames(int count) {
            return IntStream.range(0, count).mapToObj(i -> "pool-" + i).toList();
        }
    }
}
