package io.inferpulse.devstack.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One InferencePool behind the simulated gateway: its arrival process, the gateway's routing and admission for it,
 * and its pods. Confined to the simulation thread.
 */
final class PoolModel {

    private static final List<String> USER_AGENTS =
            List.of("OpenAI/Python 1.54.4", "python-httpx/0.27.2", "curl/8.5.0", "Go-http-client/1.1");

    private final String name;
    private final int index;
    private final String model;
    private final Map<String, PodModel> pods;
    private final FleetConfig config;
    private final RandomGenerator random;

    /** Replaces the profile's rate once {@link #setRate} was called; {@code NaN} until then. */
    private double rateOverride = Double.NaN;
    /** The first this many pods take new requests; the others only finish what they hold, as terminating pods do. */
    private int replicas;
    private double spikeMultiplier = 1;
    private long spikeEndNanos;
    private long arrivals;

    PoolModel(String name, int index, List<PodModel> pods, FleetConfig config, RandomGenerator random) {
        this.name = name;
        this.index = index;
        this.model = config.baseModel(index);
        this.pods = new LinkedHashMap<>();
        pods.forEach(pod -> this.pods.put(pod.name(), pod));
        this.config = config;
        this.random = random;
        this.replicas = pods.size();
    }

    int replicas() {
        return replicas;
    }

    /** The pods that take new requests, in the pool's stable order. */
    List<String> activePods() {
        return pods.keySet().stream().limit(replicas).toList();
    }

    void scale(int replicas) {
        if (replicas < 0 || replicas > pods.size()) {
            throw new IllegalArgumentException("pool " + name + " can run 0 to " + pods.size() + " pods, not " + replicas);
        }
        this.replicas = replicas;
    }

    /** Mean arrival rate at simulated time {@code nowNanos}, spike included. */
    double rate(long nowNanos) {
        double base = Double.isNaN(rateOverride)
                ? Math.max(0, config.arrivalProfile().ratePerSecond(index, Duration.ofNanos(nowNanos)))
                : rateOverride;
        return nowNanos < spikeEndNanos ? base * spikeMultiplier : base;
    }

    void setRate(double requestsPerSecond) {
        rateOverride = requestsPerSecond;
    }

    /** A later spike replaces one still running. */
    void spike(double multiplier, long endNanos) {
        spikeMultiplier = multiplier;
        spikeEndNanos = endNanos;
    }

    /**
     * Lets the requests of the interval {@code (startNanos, endNanos]} arrive and be routed, then advances every pod
     * to {@code endNanos}. Each finished or failed request goes to {@code exchanges}.
     */
    void step(long startNanos, long endNanos, Consumer<GatewayExchange> exchanges) {
        long length = endNanos - startNanos;
        int count = Sampling.poisson(random, rate(startNanos) * length / 1e9);
        long[] arrivalTimes = new long[count];
        for (int i = 0; i < count; i++) {
            arrivalTimes[i] = startNanos + 1 + random.nextLong(length);
        }
        // Sorted, so the pod queues are in arrival order as FIFO queues must be.
        Arrays.sort(arrivalTimes);
        for (long arrival : arrivalTimes) {
            route(newRequest(arrival), exchanges);
        }
        double seconds = length / 1e9;
        for (PodModel pod : pods.values()) {
            pod.step(endNanos, seconds, completion -> exchanges.accept(
                    GatewayExchange.completed(completion.request(), name, pod.name(), completion.finishNanos())));
        }
    }

    private void route(InferenceRequest request, Consumer<GatewayExchange> exchanges) {
        long sequence = arrivals++;
        List<PodState> candidates = new ArrayList<>(replicas);
        int position = 0;
        for (PodModel pod : pods.values()) {
            if (position++ < replicas && pod.canQueue()) {
                candidates.add(pod.state());
            }
        }
        if (candidates.isEmpty()) {
            // The load balancer answers itself within a millisecond or two.
            exchanges.accept(GatewayExchange.noBackend(request, name,
                    request.arrivalNanos() + 500_000 + random.nextLong(1_500_000)));
            return;
        }
        PodState chosen = config.routingPolicy().choose(List.copyOf(candidates), sequence);
        if (!candidates.contains(chosen)) {
            throw new IllegalStateException("routing policy chose " + chosen + ", not one of the candidates");
        }
        PodModel pod = pods.get(chosen.pod());
        if (random.nextDouble() < config.gateway().backgroundErrorRate()) {
            // A server-side failure such as a bad adapter load fails fast and costs the batch nothing.
            exchanges.accept(GatewayExchange.backendError(request, name, pod.name(),
                    request.arrivalNanos() + 5_000_000 + random.nextLong(45_000_000)));
            return;
        }
        pod.enqueue(request);
    }

    private InferenceRequest newRequest(long arrivalNanos) {
        FleetConfig.Workload workload = config.workload();
        int maxModelLen = config.pod().maxModelLen();
        int prompt = Math.clamp(
                Math.round(Sampling.lognormal(random, workload.medianPromptTokens(), workload.promptSigma())),
                1, maxModelLen - 1);
        long wanted = Math.max(1,
                Math.round(Sampling.lognormal(random, workload.medianOutputTokens(), workload.outputSigma())));
        boolean cut = prompt + wanted > maxModelLen;
        int output = (int) (cut ? maxModelLen - prompt : wanted);
        String adapter = random.nextDouble() < workload.loraFraction()
                ? workload.loraAdapters().get(random.nextInt(workload.loraAdapters().size()))
                : null;
        return new InferenceRequest(adapter != null ? adapter : model, adapter, prompt, output, cut, arrivalNanos,
                "203.0.113." + (1 + random.nextInt(254)), USER_AGENTS.get(random.nextInt(USER_AGENTS.size())));
    }
}
