package io.inferpulse.autoscaler.hpa;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerList;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.inferpulse.autoscaler.hpa.HpaDiff.Key;
import io.inferpulse.kube.DebouncedTrigger;
import io.inferpulse.kube.InferencePoolApi;
import io.inferpulse.kube.ServedApiInformers;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * server does not serve is skipped and asked for again at every resync ({@link ServedApiInformers}).
 *
 * <h2>When it acts</h2>
 * Every change of a pool's annotations, a pool added or deleted, and every resync interval runs
 * one pass over all pools (coalesced: changes within 100 ms share a pass), so a managed HPA edited
 * or deleted by someone else is put back by the next resync. Passes run on one thread. A pass lists
 * the HPAs, asks {@link HpaDiff} what to write and writes it: a pool whose annotations are wrong
 * keeps the HPA it had (a typo should not stop autoscaling) and is logged, and only the fields the
 * reconciler sets are written ({@code scaleTargetRef}, replicas, {@code metrics}, owners): the API
 * server fills in {@code behavior}, and users may tune it.
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
     * @param resync    how often every pool is checked again without a change, and the served API
     *                  groups with it
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

    private final KubernetesClient client;
    private final Settings settings;
    /** Runs the passes, one at a time. */
    private final ScheduledExecutorService executor;
    private final DebouncedTrigger passAfterChange;
    private final ServedApiInformers<InferencePoolApi> pools;
    /** The last problem logged per HPA, so a resync does not repeat it. Confined to the executor. */
    private final Map<Key, String> reported = new HashMap<>();
    private volatile boolean closed;

    public HpaReconciler(KubernetesClient client, Settings settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("hpa-reconciler").daemon().factory());
        this.passAfterChange = new DebouncedTrigger(executor, DEBOUNCE, () -> passOrWarn(
                "HPA reconciliation failed; trying again at the next change or in {}"));
        // a group whose list is empty sends no event, yet its managed HPAs may have lost their pools
        this.pools = new ServedApiInformers<>(client, settings.namespace(), List.of(InferencePoolApi.values()),
                settings.resync(), api -> new PoolHandler(), passAfterChange::request);
    }

    /**
     * Watches the served API groups, waits for their pools to be listed and runs the first pass.
     *
     * @throws IllegalStateException when the API server cannot be reached or the pools cannot be
     *                               listed (typically missing RBAC)
     */
    public void start() {
        try {
            pools.start(START_TIMEOUT);
            executor.submit(this::pass).get();
        } catch (RuntimeException | ExecutionException e) {
            close();
            Throwable failure = e instanceof ExecutionException ? e.getCause() : e;
            Throwable root = failure;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            // fabric8's own message is often just "An error has occurred."; the root names the problem
            throw new IllegalStateException("the HPA reconciler could not start against " + client.getMasterUrl()
                    + ": " + failure.getMessage() + " (" + root + ")", failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting the HPA reconciler", e);
        }
        LOG.info("Keeping an HPA for every InferencePool annotated {}: \"true\"", AutoscaleAnnotations.AUTOSCALE);
        long resync = settings.resync().toMillis();
        executor.scheduleWithFixedDelay(() -> passOrWarn("HPA resync failed; trying again in {}"), resync, resync,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        pools.close();
    }

    private void passOrWarn(String failed) {
        try {
            pass();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again
            LOG.warn(failed, settings.resync(), e);
        }
    }

    /** One pass over all pools and HPAs. */
    private void pass() {
        if (closed || !pools.synced()) {
            // half-listed pools would look deleted; the informer's initial list triggers a pass
            return;
        }
        List<HpaDiff.Pool> listed = new ArrayList<>();
        pools.resources().forEach((api, resources) -> resources.forEach(pool -> listed.add(HpaDiff.Pool.of(api, pool))));
        HpaDiff diff = HpaDiff.between(listed, listHpas(), settings.nameForm(), settings.cluster());
        for (Key key : diff.asked()) {
            String problem = diff.problems().get(key);
            if (problem != null) {
                report(key, problem);
            } else {
                // the problem reported last, if any, is gone: report it again should it come back
                reported.remove(key);
            }
        }
        diff.creates().forEach(this::create);
        diff.updates().forEach(this::update);
        diff.deletes().forEach(this::delete);
        reported.keySet().retainAll(diff.asked());
    }

    private List<HorizontalPodAutoscaler> listHpas() {
        // listed afresh, not from an informer: a cache that has not yet seen our own create would
        // make the next pass take our HPA for someone else's
        HorizontalPodAutoscalerList list = settings.namespace()
                .map(ns -> hpas().inNamespace(ns).list())
                .orElseGet(() -> hpas().inAnyNamespace().list());
        return list.getItems();
    }

    private void create(HpaDiff.Write write) {
        Key key = write.key();
        try {
            hpas().inNamespace(key.namespace()).resource(write.hpa()).create();
            LOG.info("Created HPA {} for {}", key, owners(write.hpa()));
            warnAboutTarget(key, write.wanted());
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                // someone else's HPA, created since the list
                report(key, HpaDiff.notOurs(key));
            } else {
                warnNotWritten(key, e);
            }
        }
    }

    private void update(HpaDiff.Write write) {
        Key key = write.key();
        try {
            hpas().inNamespace(key.namespace()).withName(key.name()).edit(current -> merge(current, write.hpa()));
            LOG.info("Updated HPA {}", key);
            warnAboutTarget(key, write.wanted());
        } catch (KubernetesClientException e) {
            warnNotWritten(key, e);
        }
    }

    private void warnNotWritten(Key key, KubernetesClientException e) {
        LOG.warn("Could not write the HPA of InferencePool {}; trying again at the next change or in {}", key,
                settings.resync(), e);
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

    private final class PoolHandler implements ResourceEventHandler<GenericKubernetesResource> {
        @Override
        public void onAdd(GenericKubernetesResource pool) {
            passAfterChange.request();
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
            // status updates (the gateway's conditions) change nothing here
            if (!Objects.equals(before.getMetadata().getAnnotations(), after.getMetadata().getAnnotations())
                    || !Objects.equals(before.getMetadata().getUid(), after.getMetadata().getUid())) {
                passAfterChange.request();
            }
        }

        @Override
        public void onDelete(GenericKubernetesResource pool, boolean finalStateUnknown) {
            passAfterChange.request();
        }
    }
}
