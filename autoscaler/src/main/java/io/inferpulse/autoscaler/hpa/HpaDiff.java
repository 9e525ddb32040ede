package io.inferpulse.autoscaler.hpa;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.inferpulse.kube.InferencePoolApi;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the {@link HpaReconciler} must write so that every InferencePool asking for an HPA has the
 * one its annotations describe and no managed HPA outlives its pools, worked out from the pools and
 * the HPAs as they are. No I/O: the reconciler lists, calls {@link #between} and writes.
 *
 * <ul>
 *   <li>A v1 and a v1alpha2 pool with the same namespace and name share one HPA named after them; it
 *       takes the v1 pool's annotations when both ask and lists every asking pool as an owner.</li>
 *   <li>Only HPAs labelled {@value HpaReconciler#MANAGED_BY_LABEL}: {@value HpaReconciler#MANAGED_BY}
 *       are updated or deleted. One without the label that has a pool's name is left alone and
 *       reported.</li>
 *   <li>A pool whose annotations are wrong keeps the HPA it had (a typo should not stop autoscaling)
 *       and is reported.</li>
 *   <li>Only the fields the reconciler sets are compared ({@code scaleTargetRef}, replicas,
 *       {@code metrics}, owners): the API server fills in {@code behavior}, and users may tune it.</li>
 * </ul>
 *
 * @param creates  HPAs to create
 * @param updates  managed HPAs whose managed fields differ from what their pools ask for
 * @param deletes  managed HPAs that no pool asks for any more
 * @param problems why an asking pool's HPA is left as it is, by HPA
 * @param asked    every HPA some pool asks for, problem or not
 */
record HpaDiff(List<Write> creates, List<Write> updates, List<Key> deletes, Map<Key, String> problems,
               Set<Key> asked) {

    HpaDiff {
        creates = List.copyOf(creates);
        updates = List.copyOf(updates);
        deletes = List.copyOf(deletes);
        problems = Map.copyOf(problems);
        asked = Set.copyOf(asked);
    }

    /** The HPA's identity, which is also the identity of the pools it serves. */
    record Key(String namespace, String name) {
        static final Comparator<Key> ORDER = Comparator.comparing(Key::namespace).thenComparing(Key::name);

        static Key of(ObjectMeta metadata) {
            return new Key(metadata.getNamespace(), metadata.getName());
        }

        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    /** An InferencePool, as much of it as decides its HPA. */
    record Pool(InferencePoolApi api, Key key, String uid, Map<String, String> annotations) {
        Pool {
            Objects.requireNonNull(api, "api");
            Objects.requireNonNull(key, "key");
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }

        static Pool of(InferencePoolApi api, GenericKubernetesResource resource) {
            ObjectMeta metadata = resource.getMetadata();
            return new Pool(api, Key.of(metadata), metadata.getUid(), metadata.getAnnotations());
        }
    }

    /** An HPA to write: what the pools ask for, and the HPA that says it. */
    record Write(Key key, PoolHpa wanted, HorizontalPodAutoscaler hpa) {
    }

    /**
     * @param pools    every InferencePool watched, annotated or not, of either API group
     * @param existing every HPA where the pools are, managed or not
     * @param nameForm how the HPAs name their metric
     * @param cluster  the cluster's name, for the metric selector
     */
    static HpaDiff between(List<Pool> pools, List<HorizontalPodAutoscaler> existing, NameForm nameForm,
                           Optional<String> cluster) {
        Map<Key, List<Pool>> asking = new TreeMap<>(Key.ORDER);
        pools.stream()
                .filter(pool -> AutoscaleAnnotations.enabled(pool.annotations()))
                // v1 first: its annotations win when both groups have the pool
                .sorted(Comparator.comparing(Pool::api))
                .forEach(pool -> asking.computeIfAbsent(pool.key(), k -> new ArrayList<>()).add(pool));
        Map<Key, HorizontalPodAutoscaler> hpas = new HashMap<>();
        existing.forEach(hpa -> hpas.put(Key.of(hpa.getMetadata()), hpa));

        List<Write> creates = new ArrayList<>();
        List<Write> updates = new ArrayList<>();
        Map<Key, String> problems = new LinkedHashMap<>();
        asking.forEach((key, owners) -> {
            Pool primary = owners.getFirst();
            PoolHpa wanted;
            try {
                wanted = AutoscaleAnnotations.read(key.namespace(), key.name(), primary.annotations(), nameForm,
                        cluster);
            } catch (IllegalArgumentException e) {
                problems.put(key, "InferencePool " + key + " (" + primary.api() + ") asks for an HPA but its "
                        + "annotations are wrong, so its HPA stays as it is: " + e.getMessage());
                return;
            }
            Write write = new Write(key, wanted, managedHpa(wanted, owners));
            HorizontalPodAutoscaler current = hpas.get(key);
            if (current == null) {
                creates.add(write);
            } else if (!managed(current)) {
                problems.put(key, notOurs(key));
            } else if (!sameManagedFields(current, write.hpa())) {
                updates.add(write);
            }
        });
        List<Key> deletes = hpas.entrySet().stream()
                .filter(hpa -> managed(hpa.getValue()) && !asking.containsKey(hpa.getKey()))
                .map(Map.Entry::getKey)
                .sorted(Key.ORDER)
                .toList();
        return new HpaDiff(creates, updates, deletes, problems, asking.keySet());
    }

    /** What is said of an HPA that has a pool's name but is not the reconciler's. */
    static String notOurs(Key key) {
        return "HPA " + key + " exists and is not managed by inferpulse (no label " + HpaReconciler.MANAGED_BY_LABEL
                + "=" + HpaReconciler.MANAGED_BY + "); leaving it alone";
    }

    private static boolean managed(HorizontalPodAutoscaler hpa) {
        Map<String, String> labels = hpa.getMetadata().getLabels();
        return labels != null && HpaReconciler.MANAGED_BY.equals(labels.get(HpaReconciler.MANAGED_BY_LABEL));
    }

    private static HorizontalPodAutoscaler managedHpa(PoolHpa wanted, List<Pool> pools) {
        List<OwnerReference> owners = pools.stream()
                .map(pool -> new OwnerReferenceBuilder()
                        .withApiVersion(pool.api().apiVersion())
                        .withKind(InferencePoolApi.KIND)
                        .withName(pool.key().name())
                        .withUid(pool.uid())
                        // no blockOwnerDeletion: it would need update rights on the pools' finalizers
                        .build())
                .toList();
        return new HorizontalPodAutoscalerBuilder(HpaManifests.build(wanted))
                .editMetadata().addToLabels(HpaReconciler.MANAGED_BY_LABEL, HpaReconciler.MANAGED_BY)
                .withOwnerReferences(owners).endMetadata()
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
}
