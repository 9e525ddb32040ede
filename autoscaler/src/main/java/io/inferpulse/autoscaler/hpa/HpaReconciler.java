package io.inferpulse.autoscaler.hpa;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerList;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one HPA per annotated InferencePool (see {@link AutoscaleAnnotations}): creates it when a
 * pool gets {@code inferpulse.io/autoscale: "true"}, updates it when the pool's annotations change,
 * deletes it when the annotation goes or the pool is deleted.
 *
 * <h2>What it owns</h2>
 * An HPA is the reconciler's when it carries {@value #MANAGED_BY_LABEL}: {@value #MANAGED_BY}.
 * Only those are updated or deleted; an HPA without the label that already has a pool's name is
 * left alone and logged. HPAs printed by {@code inferpulse autoscaler hpa} carry no label, so
 * applying one by hand never hands it to the reconciler. Managed HPAs have an owner reference to
 * each of their pools, so the garbage collector removes them with the pools even when the
 * reconciler is not running; the reconciler deletes them too rather than waiting for it.
 *
 * <h2>Both API groups</h2>
 * Pools are watched in {@code inference.networking.k8s.io/v1} and
 * {@code inference.networking.x-k8s.io/v1alpha2}. The HPA is named after the pool, as in the seed,
 * so a v1 and a v1alpha2 pool with the same namespace and name (a migration in place) share one
 * HPA: two HPAs on one workload would fight. It takes the v1 pool's annotations when both are
 * annotated and lists both pools as owners, so it lives until the last one goes. A group the API
 * server does not serve is skipped and asked for again at every resync.
 *
 * <h2>When it acts</h2>
 * Every change of a pool's annotations, a pool added or deleted, and every resync interval runs
 * one pass over all pools (coalesced: changes within 100 ms share a pass), so a managed HPA edited
 * or deleted by someone else is put back by the next resync. Passes run on one thread. A pool whose
 * annotations are wrong keeps the HPA it had (a typo should not stop autoscaling) and is logged.
 * Only the fields the reconciler sets are compared and written ({@code scaleTargetRef}, replicas,
 * {@code metrics}): the API server fills in {@code behavior}, and users may tune it.
 */
public final class HpaReconciler implements AutoCloseable {

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "inferpulse";

    private static final Logger LOG = LoggerFactory.getLogger(HpaReconciler.class);
    private static final Duration DEBOUNCE = Duration.ofMillis(100);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(1);

    /**
     * @param namespace the only namespace to watch, or empty for the whole cluster
     * @param nameForm  how the HPAs name their metric
     * @param cluster   the cluster's name, for the metric selector
     * @param resync    how often every pool is checked again without a change
     */
    public record Settings(Optional<String> namespace, NameForm nameForm, Optional<String> cluster, Duration resync) {
        public Settings {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(nameForm, "nameForm");
            Objects.requireNonNull(cluster, "cluster");
            if (resync.isNegative() || resync.isZero()) {
                throw new IllegalArgumentException("resync must be positive, not " + resync);
            }
            if (nameForm == NameForm.STACKDRIVER && cluster.isEmpty()) {
                throw new IllegalArgumentException("the stackdriver name form needs a cluster name");
            }
        }
    }

    /** The HPA's identity, which is also the identity of the pools it serves. */
    private record Key(String namespace, String name) {
        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    private record AnnotatedPool(InferencePoolApi api, GenericKubernetesResource resource) {
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final ScheduledExecutorService executor;
    private final Map<InferencePoolApi, SharedIndexInformer<GenericKubernetesResource>> informers =
            new ConcurrentHashMap<>();
    private final AtomicBoolean passPending = new AtomicBoolean();
    /** The last problem logged per HPA, so a resync does not repeat it. Confined to the executor. */
    private final Map<Key, String> reported = new HashMap<>();
    private volatile boolean closed;

    public HpaReconciler(KubernetesClient client, Settings settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("hpa-reconciler").daemon().factory());
    }

    /**
     * Watches the served API groups, waits for their pools to be listed and runs the first pass.
     *
     * @throws IllegalStateException when the API server cannot be reached or the pools cannot be
     *                               listed (typically missing RBAC)
     */
    public void start() {
        try {
            executor.submit(() -> {
                for (CompletableFuture<Void> started : watchServedGroups()) {
                    started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
                pass();
                return null;
            }).get();
        } catch (ExecutionException e) {
            close();
            Throwable root = e.getCause();
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            // fabric8's own message is often just "An error has occurred."; the root names the problem
            throw new IllegalStateException("the HPA reconciler could not start against " + client.getMasterUrl()
                    + ": " + e.getCause().getMessage() + " (" + root + ")", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting the HPA reconciler", e);
        }
        long resync = settings.resync().toMillis();
        executor.scheduleWithFixedDelay(this::resync, resync, resync, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        informers.values().forEach(SharedIndexInformer::stop);
        informers.clear();
    }

    private void resync() {
        try {
            watchServedGroups();
            pass();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again
            LOG.warn("HPA resync failed; trying again in {}", settings.resync(), e);
        }
    }

    /**
     * Starts an informer for each group that became served and stops those of groups that went
     * away.
     *
     * @return the initial lists of the informers started
     */
    private List<CompletableFuture<Void>> watchServedGroups() {
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (InferencePoolApi api : InferencePoolApi.values()) {
            boolean served = client.supports(api.apiVersion(), InferencePoolApi.KIND);
            SharedIndexInformer<GenericKubernetesResource> informer = informers.get(api);
            if (served && informer == null) {
                LOG.info("Watching {} InferencePools for {}", api, AutoscaleAnnotations.AUTOSCALE);
                started.add(watch(api));
            } else if (!served && informer != null) {
                LOG.info("API group {} is no longer served; the HPAs of its pools go", api);
                informers.remove(api).stop();
            }
        }
        return started;
    }

    private CompletableFuture<Void> watch(InferencePoolApi api) {
        SharedIndexInformer<GenericKubernetesResource> informer = scoped(client.genericKubernetesResources(api.context()))
                .runnableInformer(0)
                // keep relisting after a failed watch, as client-go does; a 404 means the group went away
                .exceptionHandler((started, failure) -> started && !notFound(failure))
                .addEventHandler(new PoolHandler());
        informers.put(api, informer);
        informer.stopped().whenComplete((ignored, failure) -> {
            if (failure != null && informers.remove(api, informer)) {
                LOG.warn("Watching {} InferencePools stopped; checking again in {}", api, settings.resync(), failure);
                requestPass();
            }
        });
        // a group whose list is empty sends no event, yet its managed HPAs may have lost their pools
        return informer.start().toCompletableFuture().thenRun(this::requestPass);
    }

    private <T extends HasMetadata, L extends KubernetesResourceList<T>, R extends Resource<T>> Informable<T> scoped(
            MixedOperation<T, L, R> resources) {
        return settings.namespace().<Informable<T>>map(resources::inNamespace).orElseGet(resources::inAnyNamespace);
    }

    private void requestPass() {
        if (closed || !passPending.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.schedule(() -> {
                passPending.set(false);
                try {
                    pass();
                } catch (RuntimeException e) {
                    LOG.warn("HPA reconciliation failed; trying again at the next change or in {}",
                            settings.resync(), e);
                }
            }, DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** One pass over all pools and managed HPAs. */
    private void pass() {
        if (closed || informers.values().stream().anyMatch(i -> !i.hasSynced())) {
            // half-listed pools would look deleted; the informer's initial list triggers a pass
            return;
        }
        Map<Key, List<AnnotatedPool>> annotated = annotatedPools();
        Map<Key, HorizontalPodAutoscaler> managed = new HashMap<>();
        for (HorizontalPodAutoscaler hpa : listManaged()) {
            managed.put(new Key(hpa.getMetadata().getNamespace(), hpa.getMetadata().getName()), hpa);
        }
        annotated.forEach((key, pools) -> reconcile(key, pools, Optional.ofNullable(managed.get(key))));
        managed.keySet().stream().filter(key -> !annotated.containsKey(key)).forEach(this::delete);
        reported.keySet().retainAll(annotated.keySet());
    }

    private List<HorizontalPodAutoscaler> listManaged() {
        // listed afresh, not from an informer: a cache that has not yet seen our own create would
        // make the next pass take our HPA for someone else's
        HorizontalPodAutoscalerList list = settings.namespace()
                .map(ns -> hpas().inNamespace(ns).withLabel(MANAGED_BY_LABEL, MANAGED_BY).list())
                .orElseGet(() -> hpas().inAnyNamespace().withLabel(MANAGED_BY_LABEL, MANAGED_BY).list());
        return list.getItems();
    }

    private Map<Key, List<AnnotatedPool>> annotatedPools() {
        Map<Key, List<AnnotatedPool>> pools = new LinkedHashMap<>();
        // v1 first: its annotations win when both groups have the pool
        for (InferencePoolApi api : InferencePoolApi.values()) {
            SharedIndexInformer<GenericKubernetesResource> informer = informers.get(api);
            if (informer == null) {
                continue;
            }
            informer.getStore().list().stream()
                    .filter(pool -> AutoscaleAnnotations.enabled(pool.getMetadata().getAnnotations()))
                    .sorted(Comparator.comparing(pool -> pool.getMetadata().getNamespace() + "/"
                            + pool.getMetadata().getName()))
                    .forEach(pool -> pools.computeIfAbsent(key(pool.getMetadata()), k -> new ArrayList<>())
                            .add(new AnnotatedPool(api, pool)));
        }
        return pools;
    }

    private void reconcile(Key key, List<AnnotatedPool> pools, Optional<HorizontalPodAutoscaler> existing) {
        AnnotatedPool primary = pools.get(0);
        PoolHpa wanted;
        try {
            wanted = AutoscaleAnnotations.read(key.namespace(), key.name(),
                    primary.resource().getMetadata().getAnnotations(), settings.nameForm(), settings.cluster());
        } catch (IllegalArgumentException e) {
            report(key, "InferencePool " + key + " (" + primary.api() + ") asks for an HPA but its annotations are "
                    + "wrong, so its HPA stays as it is: " + e.getMessage());
            return;
        }
        HorizontalPodAutoscaler desired = managedHpa(wanted, pools);
        try {
            if (existing.isPresent()) {
                // the problem reported last, if any, is gone: report it again should it come back
                reported.remove(key);
            }
            if (existing.isEmpty()) {
                create(key, wanted, desired);
            } else if (!sameManagedFields(existing.get(), desired)) {
                hpas().inNamespace(key.namespace()).withName(key.name()).edit(current -> merge(current, desired));
                LOG.info("Updated HPA {}", key);
                warnAboutTarget(key, wanted);
            }
        } catch (KubernetesClientException e) {
            LOG.warn("Could not write the HPA of InferencePool {}; trying again at the next change or in {}", key,
                    settings.resync(), e);
        }
    }

    private void create(Key key, PoolHpa wanted, HorizontalPodAutoscaler desired) {
        try {
            hpas().inNamespace(key.namespace()).resource(desired).create();
            reported.remove(key);
            LOG.info("Created HPA {} for {}", key, owners(desired));
            warnAboutTarget(key, wanted);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            report(key, "HPA " + key + " exists and is not managed by inferpulse (no label " + MANAGED_BY_LABEL + "="
                    + MANAGED_BY + "); leaving it alone");
        }
    }

    private static void warnAboutTarget(Key key, PoolHpa wanted) {
        HpaLint.advice(wanted).ifPresent(advice -> LOG.warn("InferencePool {} asks for an AverageValue target on the "
                + "pool average {}. {}", key, wanted.metric().eppName(), advice));
    }

    private void delete(Key key) {
        try {
            hpas().inNamespace(key.namespace()).withName(key.name()).delete();
            LOG.info("Deleted HPA {}: no InferencePool asks for it any more", key);
        } catch (KubernetesClientException e) {
            LOG.warn("Could not delete HPA {}; trying again at the next change or in {}", key, settings.resync(), e);
        }
    }

    private void report(Key key, String message) {
        if (!message.equals(reported.put(key, message))) {
            LOG.warn(message);
        }
    }

    private HorizontalPodAutoscaler managedHpa(PoolHpa wanted, List<AnnotatedPool> pools) {
        List<OwnerReference> owners = pools.stream()
                .map(pool -> new OwnerReferenceBuilder()
                        .withApiVersion(pool.api().apiVersion())
                        .withKind(InferencePoolApi.KIND)
                        .withName(pool.resource().getMetadata().getName())
                        .withUid(pool.resource().getMetadata().getUid())
                        // no blockOwnerDeletion: it would need update rights on the pools' finalizers
                        .build())
                .toList();
        return new HorizontalPodAutoscalerBuilder(HpaManifests.build(wanted))
                .editMetadata().addToLabels(MANAGED_BY_LABEL, MANAGED_BY).withOwnerReferences(owners).endMetadata()
                .build();
    }

    private static boolean sameManagedFields(HorizontalPodAutoscaler current, HorizontalPodAutoscaler desired) {
        HorizontalPodAutoscalerSpec have = current.getSpec();
        HorizontalPodAutoscalerSpec want = desired.getSpec();
        return Objects.equals(have.getScaleTargetRef(), want.getScaleTargetRef())
                && Objects.equals(have.getMinReplicas(), want.getMinReplicas())
                && Objects.equals(have.getMaxReplicas(), want.getMaxReplicas())
                && Objects.equals(have.getMetrics(), want.getMetrics())
                && Objects.equals(current.getMetadata().getOwnerReferences(), desired.getMetadata().getOwnerReferences());
    }

    /** The current HPA with the reconciler's fields replaced and everything else (behavior, other labels) kept. */
    private static HorizontalPodAutoscaler merge(HorizontalPodAutoscaler current, HorizontalPodAutoscaler desired) {
        HorizontalPodAutoscalerSpec want = desired.getSpec();
        return new HorizontalPodAutoscalerBuilder(current)
                .editMetadata().addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
                .withOwnerReferences(desired.getMetadata().getOwnerReferences()).endMetadata()
                .editSpec()
                .withScaleTargetRef(want.getScaleTargetRef())
                .withMinReplicas(want.getMinReplicas())
                .withMaxReplicas(want.getMaxReplicas())
                .withMetrics(want.getMetrics())
                .endSpec()
                .build();
    }

    private static String owners(HorizontalPodAutoscaler hpa) {
        return hpa.getMetadata().getOwnerReferences().stream().map(o -> o.getApiVersion() + " " + o.getName())
                .collect(Collectors.joining(" and "));
    }

    private MixedOperation<HorizontalPodAutoscaler, HorizontalPodAutoscalerList, Resource<HorizontalPodAutoscaler>>
            hpas() {
        return client.autoscaling().v2().horizontalPodAutoscalers();
    }

    private static Key key(ObjectMeta metadata) {
        return new Key(metadata.getNamespace(), metadata.getName());
    }

    private static boolean notFound(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KubernetesClientException e && e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return true;
            }
        }
        return false;
    }

    private final class PoolHandler implements ResourceEventHandler<GenericKubernetesResource> {
        @Override
        public void onAdd(GenericKubernetesResource pool) {
            requestPass();
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
            // status updates (the gateway's conditions) change nothing here
            if (!Objects.equals(before.getMetadata().getAnnotations(), after.getMetadata().getAnnotations())
                    || !Objects.equals(before.getMetadata().getUid(), after.getMetadata().getUid())) {
                requestPass();
            }
        }

        @Override
        public void onDelete(GenericKubernetesResource pool, boolean finalStateUnknown) {
            requestPass();
        }
    }
}
