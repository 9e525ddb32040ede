package io.inferpulse.ingest.discovery;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.inferpulse.kube.DebouncedTrigger;
import io.inferpulse.kube.InferencePoolApi;
import io.inferpulse.kube.Informers;
import io.inferpulse.kube.ServedApiInformers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the InferencePools of a cluster (or of one namespace) and the ready pods they select, and
 * hands the resulting endpoint set to a listener whenever it changes.
 *
 * <h2>Both API groups</h2>
 * Pools are watched in {@code inference.networking.k8s.io/v1} ({@code spec.selector.matchLabels},
 * {@code spec.targetPorts[].number}) and {@code inference.networking.x-k8s.io/v1alpha2}
 * ({@code spec.selector}, {@code spec.targetPortNumber}). Either group may be absent: a group the
 * API server does not serve is logged at INFO and skipped, and discovery checks again every minute,
 * so CRDs installed or removed during a migration are picked up without a restart (see
 * {@link ServedApiInformers}, which also says how a 404 is handled).
 *
 * <h2>Counting each endpoint once</h2>
 * An endpoint is a (pool name, pod, port). During a migration a v1 and a v1alpha2 pool with the same
 * namespace and name select the same pods: they are one logical pool, so each of its pod:port
 * endpoints is delivered once, with both {@link PoolRef}s in {@link DiscoveredEndpoint#pools()}.
 * Pools with different names are different pools even if they select the same pod (e.g. one pool
 * per model on a shared server), and each pool's aggregates must include that pod, so such a pod
 * yields one endpoint per pool name; consumers that scrape should fetch the shared URL once. Note
 * that GKE's zero-downtime migration (seed 002) names the v1 pool differently ({@code ...-ga}) from
 * the v1alpha2 one ({@code ...-preview}); those are two pools here, and a total across pools must
 * deduplicate by address.
 *
 * <h2>What counts as a member</h2>
 * A pod in the pool's namespace whose labels contain every selector entry, whose Ready condition is
 * True, which has a pod IP and which is not terminating. Each target port makes a separate endpoint
 * ({@code podIP:port}, {@code [podIP]:port} for IPv6). A pool with an empty selector or an unusable
 * port list selects nothing and is logged at WARN when it is added or changed.
 *
 * <h2>Delivery</h2>
 * {@link #start()} returns once the listener has received the full set after the initial sync.
 * After that, changes are coalesced: the first change schedules a delivery 100 ms later and every
 * change until then joins it; a change after the set was computed schedules another delivery, so
 * the last state is never lost. The listener gets the complete, immutable set, only when it
 * differs from the previous one, on one discovery thread, never concurrently.
 *
 * <h2>RBAC</h2>
 * A ClusterRole (or, with a namespace, a Role in that namespace) with these rules; API discovery
 * needs none beyond the default {@code system:discovery} binding:
 * <pre>
 * - apiGroups: [""]
 *   resources: ["pods"]
 *   verbs: ["get", "list", "watch"]
 * - apiGroups: ["inference.networking.k8s.io", "inference.networking.x-k8s.io"]
 *   resources: ["inferencepools"]
 *   verbs: ["get", "list", "watch"]
 * </pre>
 */
public final class InferencePoolDiscovery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferencePoolDiscovery.class);
    private static final Duration DEBOUNCE = Duration.ofMillis(100);
    private static final Duration API_RECHECK = Duration.ofMinutes(1);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(1);

    private final KubernetesClient client;
    private final String clusterName;
    private final Optional<String> namespace;
    private final Consumer<Set<DiscoveredEndpoint>> listener;
    /** Computes and delivers endpoint sets; one thread, so the listener is never called concurrently. */
    private final ScheduledExecutorService publisher;
    private final DebouncedTrigger recompute;
    private final ServedApiInformers<InferencePoolApi> pools;
    private volatile SharedIndexInformer<Pod> podInformer;
    private volatile Set<DiscoveredEndpoint> current = Set.of();
    private volatile boolean closed;
    /** Confined to the publisher thread: changes seen before the initial delivery are folded into it. */
    private boolean initialDelivered;

    /**
     * @param clusterName written into every {@link io.inferpulse.ingest.engine.PodIdentity}
     * @param namespace   the namespace to watch, or empty for all namespaces
     * @param listener    receives the full endpoint set; see the class description for when
     */
    public InferencePoolDiscovery(KubernetesClient client, String clusterName, Optional<String> namespace,
                                  Consumer<Set<DiscoveredEndpoint>> listener) {
        this(client, clusterName, namespace, listener, DEBOUNCE, API_RECHECK);
    }

    InferencePoolDiscovery(KubernetesClient client, String clusterName, Optional<String> namespace,
                           Consumer<Set<DiscoveredEndpoint>> listener, Duration debounce, Duration apiRecheck) {
        this.client = Objects.requireNonNull(client, "client");
        this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.publisher = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("inferencepool-discovery").daemon().factory());
        this.recompute = new DebouncedTrigger(publisher, debounce, () -> {
            if (initialDelivered && !closed) {
                publish(false);
            }
        });
        this.pools = new ServedApiInformers<>(client, namespace, List.of(InferencePoolApi.values()), apiRecheck,
                PoolHandler::new, recompute::request);
    }

    /**
     * Starts the informers, waits for their initial sync and delivers the first endpoint set.
     *
     * @throws IllegalStateException when the API server cannot be reached, when pods or the pools of a
     *                               served API group cannot be listed (typically missing RBAC), or
     *                               when called twice or after close
     */
    public void start() {
        synchronized (this) {
            if (closed || podInformer != null) {
                throw new IllegalStateException(closed ? "discovery is closed" : "discovery already started");
            }
            try {
                podInformer = Informers.relisting(client.pods(), namespace).addEventHandler(new PodHandler());
                await(podInformer.start().toCompletableFuture(), "the pod list");
                pools.start(START_TIMEOUT);
            } catch (RuntimeException e) {
                close();
                throw e instanceof IllegalStateException ise ? ise
                        : new IllegalStateException("InferencePool discovery could not start", e);
            }
        }
        // Outside the lock: a listener that closes discovery from the initial delivery must not deadlock.
        await(publisher.submit(() -> {
            initialDelivered = true;
            publish(true);
        }), "the initial endpoint delivery");
    }

    /** The endpoint set last computed; empty before {@link #start()}. */
    public Set<DiscoveredEndpoint> current() {
        return current;
    }

    /** Stops the informers; the listener is not called afterwards. */
    @Override
    public synchronized void close() {
        closed = true;
        // Cancelled rather than just dropped, so a start() waiting for the initial delivery returns.
        for (Runnable pending : publisher.shutdownNow()) {
            if (pending instanceof Future<?> task) {
                task.cancel(false);
            }
        }
        pools.close();
        if (podInformer != null) {
            podInformer.stop();
        }
    }

    private void publish(boolean always) {
        List<PoolSpec> specs = new ArrayList<>();
        pools.resources().forEach((api, listed) -> {
            for (GenericKubernetesResource pool : listed) {
                try {
                    specs.add(PoolSpec.parse(api, pool));
                } catch (IllegalArgumentException e) {
                    // already logged when the pool arrived
                }
            }
        });
        Set<DiscoveredEndpoint> next = EndpointResolver.resolve(clusterName, specs,
                ns -> podInformer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns));
        if (!always && next.equals(current)) {
            return;
        }
        current = next;
        try {
            listener.accept(next);
        } catch (RuntimeException e) {
            LOG.warn("The InferencePool endpoint listener failed", e);
        }
    }

    private static void await(Future<?> future, String what) {
        try {
            future.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (CancellationException e) {
            throw new IllegalStateException("discovery was closed while waiting for " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("InferencePool discovery could not get " + what, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("InferencePool discovery timed out waiting for " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    private final class PodHandler implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            recompute.request();
        }

        @Override
        public void onUpdate(Pod before, Pod after) {
            if (EndpointResolver.affectsEndpoints(before, after)) {
                recompute.request();
            }
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            recompute.request();
        }
    }

    private final class PoolHandler implements ResourceEventHandler<GenericKubernetesResource> {
        private final InferencePoolApi api;

        PoolHandler(InferencePoolApi api) {
            this.api = api;
        }

        @Override
        public void onAdd(GenericKubernetesResource pool) {
            warnIfMalformed(pool);
            recompute.request();
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
            warnIfMalformed(after);
            recompute.request();
        }

        @Override
        public void onDelete(GenericKubernetesResource pool, boolean finalStateUnknown) {
            recompute.request();
        }

        private void warnIfMalformed(GenericKubernetesResource pool) {
            try {
                PoolSpec.parse(api, pool);
            } catch (IllegalArgumentException e) {
                LOG.warn("InferencePool {}/{} ({}) selects no endpoints: {}", pool.getMetadata().getNamespace(),
                        pool.getMetadata().getName(), api, e.getMessage());
            }
        }
    }
}
