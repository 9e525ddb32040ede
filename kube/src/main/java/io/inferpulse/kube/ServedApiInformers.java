package io.inferpulse.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informers over those of a resource's API groups that the API server serves now. CRDs come and go
 * without a restart of the services that read them: during an InferencePool migration the v1 group
 * is installed beside v1alpha2, and v1alpha2 is later removed.
 *
 * <ul>
 *   <li>{@link #start} asks API discovery ({@code /apis/<group>/<version>}) which groups are served,
 *       watches those and waits for their initial lists; a group not served is logged at INFO and
 *       skipped. Discovery rather than a failing list, because a fabric8 informer whose initial
 *       list gets a 404 logs an ERROR and stops for good.</li>
 *   <li>Every recheck interval it asks again: a group served now is watched, the informer of a
 *       group no longer served is stopped and its resources dropped.</li>
 *   <li>A list or watch that still gets a 404 (the CRD went away between check and list) stops that
 *       informer, and the group counts as not served until the next check. Any other failed watch
 *       is relisted ({@link Informers#relisting}); an informer that stops for another reason is
 *       started again at the next check.</li>
 * </ul>
 *
 * {@code apisChanged} runs whenever the groups shown change: a group's initial list is in, or a
 * group was dropped. A group whose list is empty sends no event, so this is the only sign of it.
 *
 * @param <K> the API groups, in preference order: {@link #resources()} lists them in this order
 */
public final class ServedApiInformers<K extends ResourceApi> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServedApiInformers.class);

    private final KubernetesClient client;
    private final Optional<String> namespace;
    private final List<K> apis;
    private final Duration recheck;
    private final Function<K, ResourceEventHandler<GenericKubernetesResource>> handlers;
    private final Runnable apisChanged;
    /** Asks the API server which groups it serves; its own thread, so a slow answer delays nobody's work. */
    private final ScheduledExecutorService checker;
    private final Map<K, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
    private final String plural;
    private boolean started;
    private volatile boolean closed;

    /**
     * @param namespace   the only namespace to watch, or empty for every namespace
     * @param apis        the groups that may serve the resource, in preference order
     * @param recheck     how often to ask again which groups are served
     * @param handlers    the event handler of each group's informer
     * @param apisChanged runs when a group's initial list is in or a group was dropped
     */
    public ServedApiInformers(KubernetesClient client, Optional<String> namespace, List<K> apis, Duration recheck,
                              Function<K, ResourceEventHandler<GenericKubernetesResource>> handlers,
                              Runnable apisChanged) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.apis = List.copyOf(apis);
        if (this.apis.isEmpty()) {
            throw new IllegalArgumentException("no API to watch");
        }
        if (recheck.isNegative() || recheck.isZero()) {
            throw new IllegalArgumentException("recheck must be positive, not " + recheck);
        }
        this.recheck = recheck;
        this.handlers = Objects.requireNonNull(handlers, "handlers");
        this.apisChanged = Objects.requireNonNull(apisChanged, "apisChanged");
        this.plural = this.apis.getFirst().context().getPlural();
        this.checker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(plural + "-api-check").daemon().factory());
    }

    /**
     * Watches the served groups, waits for their initial lists and starts the periodic check.
     *
     * @param timeout how long to wait for each group's initial list
     * @throws IllegalStateException      when a served group's resources cannot be listed (typically
     *                                    missing RBAC), in time or at all, naming the group; the
     *                                    informers are closed
     * @throws KubernetesClientException when the API server cannot be asked which groups it serves
     */
    public synchronized void start(Duration timeout) {
        if (closed || started) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        started = true;
        try {
            Map<K, CompletableFuture<Void>> lists = new LinkedHashMap<>();
            for (K api : apis) {
                if (served(api)) {
                    LOG.info("Watching {} {}", api, plural);
                    lists.put(api, watch(api));
                } else {
                    LOG.info("API group {} is not served; continuing without its {} and checking again every {}",
                            api, plural, human(recheck));
                }
            }
            lists.forEach((api, list) -> awaitList(api, list, timeout));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        checker.scheduleWithFixedDelay(this::recheck, recheck.toMillis(), recheck.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The resources of every group watched now, by group in preference order. */
    public Map<K, List<GenericKubernetesResource>> resources() {
        Map<K, List<GenericKubernetesResource>> listed = new LinkedHashMap<>();
        for (K api : apis) {
            SharedIndexInformer<GenericKubernetesResource> informer = informers.get(api);
            if (informer != null) {
                listed.put(api, informer.getStore().list());
            }
        }
        return listed;
    }

    /** Whether every group watched now has its initial list: before that, its resources would look deleted. */
    public boolean synced() {
        return informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** Stops the informers and the check; {@code apisChanged} is not called afterwards. */
    @Override
    public synchronized void close() {
        closed = true;
        checker.shutdownNow();
        informers.values().forEach(SharedIndexInformer::stop);
        informers.clear();
    }

    private boolean served(K api) {
        return client.supports(api.apiVersion(), api.kind());
    }

    private CompletableFuture<Void> watch(K api) {
        SharedIndexInformer<GenericKubernetesResource> informer =
                Informers.relisting(client.genericKubernetesResources(api.context()), namespace)
                        .addEventHandler(handlers.apply(api));
        informers.put(api, informer);
        informer.stopped().whenComplete((ignored, failure) -> {
            if (failure != null) {
                failed(api, informer, failure);
            }
        });
        return informer.start().toCompletableFuture().thenRun(this::changed);
    }

    private void awaitList(K api, CompletableFuture<Void> list, Duration timeout) {
        try {
            list.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (Informers.notFound(e.getCause())) {
                // the group went away between check and list; dropped here, so start() returns without it
                SharedIndexInformer<GenericKubernetesResource> informer = informers.get(api);
                if (informer != null) {
                    failed(api, informer, e.getCause());
                }
            } else {
                throw new IllegalStateException("could not list " + api + " " + plural + ": " + e.getCause(),
                        e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out after " + human(timeout) + " listing " + api + " " + plural,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing " + api + " " + plural, e);
        }
    }

    private void failed(K api, SharedIndexInformer<GenericKubernetesResource> informer, Throwable failure) {
        if (!informers.remove(api, informer)) {
            return;
        }
        if (Informers.notFound(failure)) {
            LOG.info("API group {} is not served (HTTP 404); continuing without its {} and checking again every {}",
                    api, plural, human(recheck));
        } else {
            LOG.warn("Watching {} {} failed; trying again in {}", api, plural, human(recheck), failure);
        }
        changed();
    }

    private synchronized void recheck() {
        for (K api : apis) {
            if (closed) {
                return;
            }
            boolean served;
            try {
                served = served(api);
            } catch (RuntimeException e) {
                // a scheduled task that throws is never run again
                LOG.warn("Could not ask whether API group {} is served; keeping its current state", api, e);
                continue;
            }
            SharedIndexInformer<GenericKubernetesResource> informer = informers.get(api);
            if (served && informer == null) {
                LOG.info("API group {} is served now; watching its {}", api, plural);
                watch(api);
            } else if (!served && informer != null) {
                LOG.info("API group {} is no longer served; dropping its {}", api, plural);
                informers.remove(api, informer);
                informer.stop();
                changed();
            }
        }
    }

    private void changed() {
        if (!closed) {
            apisChanged.run();
        }
    }

    private static String human(Duration duration) {
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
