package io.inferpulse.devstack.fleet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A fleet of simulated vLLM model servers behind a simulated GKE Inference Gateway, for development and tests
 * without GPUs.
 *
 * <p>Each pool's requests arrive as a Poisson process ({@link ArrivalProfile}), the gateway routes them to the pool's
 * pods ({@link RoutingPolicy}), and each pod queues, batches, prefills and decodes them against a KV cache. Every
 * pod serves its state as Prometheus text on {@code http://127.0.0.1:<port>/metrics} with vLLM's metric names; the
 * gateway writes one Google Cloud load balancer log line ({@code LogEntry} JSON, resource type
 * {@code http_external_regional_lb_rule}) per finished or failed request to the sink given at construction. Beyond
 * the load balancer's own fields, each line carries the requested model in {@code jsonPayload.modelName} and
 * {@code jsonPayload.targetModelName}, token counts of successful requests in {@code jsonPayload.inputTokens} and
 * {@code jsonPayload.outputTokens}, and the pool's cluster and namespace in {@code labels.cluster_name} and
 * {@code labels.namespace_name}; the pool is {@code resource.labels.backend_target_name} and the pod's
 * {@code 127.0.0.1:port} is {@code httpRequest.serverIp}.
 *
 * <p>Simulated time moves in steps of at most 10 ms, either on one platform tick thread that follows the wall clock
 * ({@link #start()} with a non-zero {@link FleetConfig#tick()}), or only when the caller calls
 * {@link #advance(Duration)}, which makes a run with a fixed seed and clock exactly repeatable.
 *
 * <p>Thread-safe. The simulation runs under one lock; HTTP handler threads never take it and render immutable
 * snapshots published at the end of each {@link #advance}. The access-log sink is called on the simulating thread,
 * under that lock, so it should be quick.
 */
public final class FleetSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FleetSimulator.class);

    /** Fine enough that a 50 ms prefill or a 20 ms decode token is not lost in rounding. */
    private static final long MAX_STEP_NANOS = Duration.ofMillis(10).toNanos();

    private final FleetConfig config;
    private final Consumer<String> accessLogSink;
    private final Instant origin;
    private final Object lock = new Object();
    private final Map<String, PoolModel> poolsByName = new LinkedHashMap<>();
    private final Map<String, PodModel> podsByName = new LinkedHashMap<>();
    private final Map<String, PodServer> serversByPod = new LinkedHashMap<>();
    private final List<SimulatedPodEndpoint> endpoints;
    private final ExecutorService httpExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final GcpLoadBalancerLog accessLog;

    /** Guarded by {@link #lock}. */
    private long simNanos;
    /** Guarded by {@link #lock}. */
    private boolean started;
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** Guarded by {@link #lock}. */
    private ScheduledExecutorService ticker;
    /** Touched only by the tick thread. */
    private long lastTickNanos;

    /**
     * Creates the fleet and takes a loopback port for every pod, so {@link #endpoints()} are known at once; pods serve
     * HTTP from {@link #start()} on. Requests do not arrive before the first {@link #advance} or tick.
     *
     * @param accessLogSink receives each access-log line, one JSON object without a line break
     * @throws java.io.UncheckedIOException when a port cannot be bound
     */
    public FleetSimulator(FleetConfig config, Consumer<String> accessLogSink) {
        this.config = Objects.requireNonNull(config, "config");
        this.accessLogSink = Objects.requireNonNull(accessLogSink, "accessLogSink");
        this.origin = config.clock().instant();
        SplittableRandom seeds = new SplittableRandom(config.seed());
        SplittableRandom names = seeds.split();
        Set<String> podNames = new HashSet<>();
        List<SimulatedPodEndpoint> endpointList = new ArrayList<>();
        Map<String, String> addresses = new LinkedHashMap<>();
        try {
            for (int index = 0; index < config.poolNames().size(); index++) {
                String pool = config.poolNames().get(index);
                List<PodModel> pods = new ArrayList<>();
                for (int i = 0; i < config.podsPerPool(); i++) {
                    String name = uniquePodName(pool, names, podNames);
                    PodModel pod = new PodModel(config.namespace(), pool, name, config.baseModel(index), config.pod(),
                            unixSeconds(0));
                    PodServer server = new PodServer(pod::published, config.pod(), httpExecutor);
                    pods.add(pod);
                    podsByName.put(name, pod);
                    serversByPod.put(name, server);
                    addresses.put(name, server.address());
                    endpointList.add(new SimulatedPodEndpoint(config.namespace(), pool, name, server.address(),
                            URI.create("http://" + server.address() + "/metrics")));
                }
                PoolModel model = new PoolModel(pool, index, pods, config, seeds.split());
                poolsByName.put(pool, model);
            }
        } catch (RuntimeException e) {
            serversByPod.values().forEach(PodServer::close);
            httpExecutor.shutdownNow();
            throw e;
        }
        this.endpoints = List.copyOf(endpointList);
        this.accessLog = new GcpLoadBalancerLog(config, origin, seeds.split(), addresses);
    }

    /**
     * Starts serving {@code /metrics} on every pod and, unless the config asks for manual time, the tick thread.
     * Idempotent.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the fleet simulator is closed");
            }
            if (started) {
                return;
            }
            started = true;
            serversByPod.values().forEach(PodServer::start);
            if (!config.manualTime()) {
                ticker = Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform().name("fleet-simulator-tick").daemon(true).factory());
                lastTickNanos = System.nanoTime();
                long period = config.tick().toNanos();
                ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
            }
        }
        LOG.info("Fleet simulator started: {} pools x {} pods in namespace {}, {}", poolsByName.size(),
                config.podsPerPool(), config.namespace(),
                config.manualTime() ? "manual time" : "ticking every " + config.tick());
    }

    /** Stops the tick thread and every pod's HTTP server. Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService stoppedTicker;
        boolean wasStarted;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            stoppedTicker = ticker;
            wasStarted = started;
        }
        if (stoppedTicker != null) {
            stoppedTicker.shutdownNow();
            awaitTermination(stoppedTicker);
        }
        serversByPod.values().forEach(PodServer::close);
        httpExecutor.shutdownNow();
        if (wasStarted) {
            LOG.info("Fleet simulator closed");
        }
    }

    /** Every pod, pool by pool, in a stable order. */
    public List<SimulatedPodEndpoint> endpoints() {
        return endpoints;
    }

    /** What the pod was doing at the end of the last {@link #advance} or tick. */
    public PodState snapshot(String podName) {
        return pod(podName).published().state();
    }

    /**
     * Moves simulated time forward by {@code duration}, in steps of at most 10 ms: requests arrive, pods work, and
     * finished requests are logged. Usable alongside the tick thread, but only manual time is repeatable.
     */
    public void advance(Duration duration) {
        long remaining = duration.toNanos();
        if (remaining < 0) {
            throw new IllegalArgumentException("cannot go back in time: " + duration);
        }
        synchronized (lock) {
            while (remaining > 0) {
                long step = Math.min(remaining, MAX_STEP_NANOS);
                long start = simNanos;
                simNanos += step;
                for (PoolModel pool : poolsByName.values()) {
                    pool.step(start, simNanos, this::emit);
                }
                remaining -= step;
            }
            double now = unixSeconds(simNanos);
            podsByName.values().forEach(pod -> pod.publish(now));
        }
    }

    /** Replaces the arrival profile of {@code pool} with a constant rate from now on. */
    public void setArrivalRate(String pool, double requestsPerSecond) {
        if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("rate must be a finite number >= 0, was " + requestsPerSecond);
        }
        synchronized (lock) {
            pool(pool).setRate(requestsPerSecond);
        }
    }

    /** Multiplies the arrival rate of {@code pool} by {@code multiplier} for the next {@code duration} of sim time. */
    public void spike(String pool, double multiplier, Duration duration) {
        if (!(multiplier >= 0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 0, was " + multiplier);
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative, was " + duration);
        }
        synchronized (lock) {
            pool(pool).spike(multiplier, simNanos + duration.toNanos());
        }
    }

    /**
     * Runs {@code replicas} of the pool's pods, as a Deployment scaled to that count would: the first
     * {@code replicas} pods in {@link #endpoints()} order take new requests; the others finish what they hold and then
     * idle. A pool can run 0 up to the {@link FleetConfig#podsPerPool()} pods created for it.
     */
    public void scale(String pool, int replicas) {
        synchronized (lock) {
            pool(pool).scale(replicas);
        }
    }

    /** How many pods of {@code pool} take requests. */
    public int replicas(String pool) {
        synchronized (lock) {
            return pool(pool).replicas();
        }
    }

    /** The endpoints of the pods that take requests: what discovery would list for a scaled pool. */
    public List<SimulatedPodEndpoint> activeEndpoints() {
        Set<String> active = new HashSet<>();
        synchronized (lock) {
            poolsByName.values().forEach(p -> active.addAll(p.activePods()));
        }
        return endpoints.stream().filter(e -> active.contains(e.pod())).toList();
    }

    /** The mean arrival rate of {@code pool} right now, in requests per second, spike included. */
    public double arrivalRate(String pool) {
        synchronized (lock) {
            return pool(pool).rate(simNanos);
        }
    }

    /** Makes the pod's {@code /metrics} report these gauges, whatever its load, until {@link #unpin(String)}. */
    public void pinMetrics(String podName, double kvCacheUsage, int waiting, int running) {
        server(podName).pin(new MetricsPin(kvCacheUsage, waiting, running));
    }

    public void unpin(String podName) {
        server(podName).unpin();
    }

    /**
     * Closes the pod's HTTP server, so connections to its port are refused. The pod keeps serving requests; only its
     * metrics endpoint goes away, as when a scrape target is unreachable.
     */
    public void stop(String podName) {
        server(podName).stop();
    }

    /**
     * Makes the pod prefill and decode at {@code share} of the configured rates from now on, like a pod on an older or
     * throttled GPU, or one sharing its node with a noisy neighbour; 1 restores it.
     */
    public void slowDown(String podName, double share) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("share must be in (0, 1], was " + share);
        }
        synchronized (lock) {
            PodModel pod = podsByName.get(podName);
            if (pod == null) {
                throw new IllegalArgumentException("no pod named " + podName);
            }
            pod.speed(share);
        }
    }

    /** Serves the pod's metrics again, on the same port as before. */
    public void start(String podName) {
        server(podName).start();
    }

    /** Makes the pod's {@code /metrics} return {@code body} verbatim, e.g. a malformed exposition. */
    public void serveRaw(String podName, String body) {
        server(podName).serveRaw(Objects.requireNonNull(body, "body"));
    }

    /** Undoes {@link #serveRaw(String, String)}. */
    public void serveNormal(String podName) {
        server(podName).serveNormal();
    }

    private void tick() {
        long now = System.nanoTime();
        // Advance by the time that really passed, so simulated time keeps pace with the wall clock even when a
        // tick runs late.
        Duration elapsed = Duration.ofNanos(now - lastTickNanos);
        lastTickNanos = now;
        try {
            advance(elapsed);
        } catch (RuntimeException e) {
            // An exception would cancel the periodic task and freeze the fleet; keep ticking instead.
            LOG.error("Fleet simulation step failed", e);
        }
    }

    private void emit(GatewayExchange exchange) {
        String line = accessLog.format(exchange);
        try {
            accessLogSink.accept(line);
        } catch (RuntimeException e) {
            LOG.warn("Access-log sink failed; line dropped", e);
        }
    }

    private double unixSeconds(long nanos) {
        Instant now = origin.plusNanos(nanos);
        return now.getEpochSecond() + now.getNano() / 1e9;
    }

    private PoolModel pool(String name) {
        PoolModel pool = poolsByName.get(name);
        if (pool == null) {
            throw new IllegalArgumentException("unknown pool " + name + "; pools are " + poolsByName.keySet());
        }
        return pool;
    }

    private PodModel pod(String name) {
        PodModel pod = podsByName.get(name);
        if (pod == null) {
            throw new IllegalArgumentException("unknown pod " + name);
        }
        return pod;
    }

    private PodServer server(String podName) {
        PodServer server = serversByPod.get(podName);
        if (server == null) {
            throw new IllegalArgumentException("unknown pod " + podName);
        }
        return server;
    }

    private static String uniquePodName(String pool, SplittableRandom random, Set<String> taken) {
        String name;
        do {
            name = pool + "-" + Sampling.lowercase(random, 5);
        } while (!taken.add(name));
        return name;
    }

    private static void awaitTermination(ScheduledExecutorService executor) {
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Fleet simulator tick thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
