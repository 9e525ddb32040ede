package io.inferpulse.autoscaler.hpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.ExternalMetricSource;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerList;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.inferpulse.kube.InferencePoolApi;
import io.inferpulse.kube.MockApiServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reconciler against fabric8's mock API server in CRUD mode: pools of both API groups are
 * annotated, changed, un-annotated and deleted through the client, and the HPAs that result are
 * read back. Resync is a minute unless a test is about resync, so the other tests see what pool
 * events alone do.
 */
class HpaReconcilerTest {

    private static final String NS = "inference";
    private static final Duration NO_RESYNC_DURING_TEST = Duration.ofMinutes(1);
    private static final Map<String, String> AUTOSCALE = Map.of(
            AutoscaleAnnotations.AUTOSCALE, "true",
            AutoscaleAnnotations.MAX, "8",
            AutoscaleAnnotations.VALUE, "0.8");

    @RegisterExtension
    final MockApiServer kube = MockApiServer.crud();

    @ParameterizedTest
    @EnumSource(InferencePoolApi.class)
    void shouldCreateUpdateAndDeleteTheHpaAsThePoolsAnnotationsChange(InferencePoolApi api) {
        // given a pool without the annotation, and the reconciler running
        kube.serve(InferencePoolApi.values());
        createPool(api, "llama", Map.of());
        startReconciler(NO_RESYNC_DURING_TEST);

        // when the pool is annotated
        annotate(api, "llama", AUTOSCALE);

        // then its HPA appears, labelled as managed and owned by the pool
        HorizontalPodAutoscaler created = awaitHpa("llama", hpa -> true);
        assertThat(created.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "inferpulse");
        GenericKubernetesResource pool = pools(api).inNamespace(NS).withName("llama").get();
        assertThat(created.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getApiVersion()).isEqualTo(api.apiVersion());
            assertThat(owner.getKind()).isEqualTo("InferencePool");
            assertThat(owner.getName()).isEqualTo("llama");
            assertThat(owner.getUid()).isNotBlank().isEqualTo(pool.getMetadata().getUid());
        });
        assertThat(created.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(created.getSpec().getScaleTargetRef().getName()).isEqualTo("llama");
        assertThat(created.getSpec().getMinReplicas()).isEqualTo(1);
        assertThat(created.getSpec().getMaxReplicas()).isEqualTo(8);
        ExternalMetricSource metric = external(created);
        assertThat(metric.getMetric().getName()).isEqualTo("inference_pool_average_kv_cache_utilization");
        assertThat(metric.getMetric().getSelector().getMatchLabels()).isEqualTo(Map.of("name", "llama"));
        assertThat(metric.getTarget().getType()).isEqualTo("Value");
        assertThat(metric.getTarget().getValue()).isEqualTo(new Quantity("0.8"));

        // when a user tunes the HPA's behavior and then the pool's annotations change
        hpas().withName("llama").edit(hpa -> new HorizontalPodAutoscalerBuilder(hpa).editSpec().withNewBehavior()
                .withNewScaleDown().withStabilizationWindowSeconds(600).endScaleDown().endBehavior().endSpec().build());
        annotate(api, "llama", Map.of(
                AutoscaleAnnotations.AUTOSCALE, "true",
                AutoscaleAnnotations.MIN, "2",
                AutoscaleAnnotations.MAX, "12",
                AutoscaleAnnotations.METRIC, "queue-sum",
                AutoscaleAnnotations.AVERAGE_VALUE, "5",
                AutoscaleAnnotations.SCALE_TARGET, "lws/llama-405b"));

        // then the HPA follows them and keeps the user's behavior
        HorizontalPodAutoscaler updated = awaitHpa("llama", hpa -> hpa.getSpec().getMaxReplicas() == 12);
        assertThat(updated.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(updated.getSpec().getScaleTargetRef().getKind()).isEqualTo("LeaderWorkerSet");
        assertThat(updated.getSpec().getScaleTargetRef().getName()).isEqualTo("llama-405b");
        assertThat(external(updated).getMetric().getName()).isEqualTo("inference_pool_total_queue_size");
        assertThat(external(updated).getTarget().getType()).isEqualTo("AverageValue");
        assertThat(external(updated).getTarget().getAverageValue()).isEqualTo(new Quantity("5"));
        assertThat(updated.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds()).isEqualTo(600);

        // when the annotation is removed, then the HPA goes
        annotate(api, "llama", Map.of());
        awaitNoHpa("llama");
    }

    @ParameterizedTest
    @EnumSource(InferencePoolApi.class)
    void shouldDeleteTheHpaWhenItsPoolIsDeleted(InferencePoolApi api) {
        kube.serve(InferencePoolApi.values());
        createPool(api, "llama", AUTOSCALE);
        startReconciler(NO_RESYNC_DURING_TEST);
        awaitHpa("llama", hpa -> true);

        // the mock server has no garbage collector: only the reconciler can delete it here
        pools(api).inNamespace(NS).withName("llama").delete();

        awaitNoHpa("llama");
    }

    @Test
    void shouldLeaveHpasItDoesNotManageAlone() {
        // given two HPAs someone else wrote: one named like a pool that asks for an HPA, one like a pool that does not
        kube.serve(InferencePoolApi.values());
        HorizontalPodAutoscaler theirs = hpas().resource(HpaManifests.build(new PoolHpa(NS, "llama",
                ScaleTarget.deploymentNamed("llama"), 3, 3, HpaMetric.READY_PODS, MetricTarget.value("1"),
                NameForm.EPP, Optional.empty()))).create();
        HorizontalPodAutoscaler other = hpas().resource(new HorizontalPodAutoscalerBuilder(theirs)
                .editMetadata().withName("mistral").withResourceVersion(null).withUid(null).endMetadata().build())
                .create();
        createPool(InferencePoolApi.V1, "llama", AUTOSCALE);
        createPool(InferencePoolApi.V1, "mistral", Map.of());

        // when the reconciler has run a pass that created another pool's HPA
        startReconciler(NO_RESYNC_DURING_TEST);
        createPool(InferencePoolApi.V1, "gemma", AUTOSCALE);
        awaitHpa("gemma", hpa -> true);

        // then both are as they were
        HorizontalPodAutoscaler llama = hpas().withName("llama").get();
        assertThat(llama.getSpec()).isEqualTo(theirs.getSpec());
        assertThat(llama.getMetadata().getLabels()).isNullOrEmpty();
        assertThat(llama.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(hpas().withName("mistral").get().getSpec()).isEqualTo(other.getSpec());
    }

    @Test
    void shouldShareOneHpaBetweenSameNamedPoolsOfBothGroupsAndPreferTheV1Annotations() {
        // given a migration in place: a v1 and a v1alpha2 pool named alike, both annotated, with different budgets
        kube.serve(InferencePoolApi.values());
        createPool(InferencePoolApi.V1ALPHA2, "llama", with(AUTOSCALE, AutoscaleAnnotations.MAX, "4"));
        createPool(InferencePoolApi.V1, "llama", with(AUTOSCALE, AutoscaleAnnotations.MAX, "6"));
        startReconciler(NO_RESYNC_DURING_TEST);

        // then one HPA follows the v1 pool and is owned by both
        HorizontalPodAutoscaler shared = awaitHpa("llama", hpa -> hpa.getMetadata().getOwnerReferences().size() == 2);
        assertThat(shared.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(shared.getMetadata().getOwnerReferences()).extracting(OwnerReference::getApiVersion)
                .containsExactly("inference.networking.k8s.io/v1", "inference.networking.x-k8s.io/v1alpha2");

        // when the v1 pool stops asking, the v1alpha2 pool's annotations take over
        annotate(InferencePoolApi.V1, "llama", Map.of());
        HorizontalPodAutoscaler v1alpha2Only = awaitHpa("llama", hpa -> hpa.getSpec().getMaxReplicas() == 4);
        assertThat(v1alpha2Only.getMetadata().getOwnerReferences()).extracting(OwnerReference::getApiVersion)
                .containsExactly("inference.networking.x-k8s.io/v1alpha2");

        // and when neither asks, the HPA goes
        annotate(InferencePoolApi.V1ALPHA2, "llama", Map.of());
        awaitNoHpa("llama");
    }

    @Test
    void shouldKeepTheHpaWhenThePoolsAnnotationsBecomeWrong() {
        kube.serve(InferencePoolApi.V1);
        createPool(InferencePoolApi.V1, "llama", AUTOSCALE);
        startReconciler(NO_RESYNC_DURING_TEST);
        awaitHpa("llama", hpa -> true);

        // when the budget becomes unreadable, and then another pool asks for an HPA (events are handled in order)
        annotate(InferencePoolApi.V1, "llama", with(AUTOSCALE, AutoscaleAnnotations.MAX, "lots"));
        createPool(InferencePoolApi.V1, "gemma", AUTOSCALE);
        awaitHpa("gemma", hpa -> true);

        // then the pool keeps the HPA it had
        assertThat(hpas().withName("llama").get().getSpec().getMaxReplicas()).isEqualTo(8);
    }

    @Test
    void shouldPutBackAManagedHpaDeletedByHandAndFindANewApiGroupAtTheNextResync() {
        kube.serve(InferencePoolApi.V1);
        createPool(InferencePoolApi.V1, "llama", AUTOSCALE);
        startReconciler(Duration.ofMillis(300));
        awaitHpa("llama", hpa -> true);

        // when someone deletes the HPA, and the v1alpha2 API group is installed with an annotated pool
        hpas().withName("llama").delete();
        awaitNoHpa("llama");
        kube.serve(InferencePoolApi.V1ALPHA2);
        createPool(InferencePoolApi.V1ALPHA2, "mistral", AUTOSCALE);

        // then both HPAs are there after a resync
        awaitHpa("llama", hpa -> true);
        awaitHpa("mistral", hpa -> true);
    }

    private void startReconciler(Duration resync) {
        kube.closeAfterServer(new HpaReconciler(kube.client(), new HpaReconciler.Settings(Optional.of(NS),
                NameForm.EPP, Optional.empty(), resync))).start();
    }

    private HorizontalPodAutoscaler awaitHpa(String name, Predicate<HorizontalPodAutoscaler> state) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> hpas().withName(name).get(),
                hpa -> hpa != null && state.test(hpa));
    }

    private void awaitNoHpa(String name) {
        await().atMost(Duration.ofSeconds(10)).until(() -> hpas().withName(name).get() == null);
    }

    private static ExternalMetricSource external(HorizontalPodAutoscaler hpa) {
        assertThat(hpa.getSpec().getMetrics()).hasSize(1);
        return hpa.getSpec().getMetrics().get(0).getExternal();
    }

    private static Map<String, String> with(Map<String, String> annotations, String key, String value) {
        Map<String, String> changed = new HashMap<>(annotations);
        changed.put(key, value);
        return changed;
    }

    private NonNamespaceOperation<HorizontalPodAutoscaler, HorizontalPodAutoscalerList,
            Resource<HorizontalPodAutoscaler>> hpas() {
        return kube.client().autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS);
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> pools(InferencePoolApi api) {
        return kube.client().genericKubernetesResources(api.context());
    }

    private void createPool(InferencePoolApi api, String name, Map<String, String> annotations) {
        pools(api).inNamespace(NS).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(api.apiVersion())
                .withKind(InferencePoolApi.KIND)
                .withNewMetadata().withNamespace(NS).withName(name).withAnnotations(annotations).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("selector", Map.of("matchLabels", Map.of("app", name)),
                        "targetPorts", List.of(Map.of("number", 8000)))))
                .build()).create();
    }

    private void annotate(InferencePoolApi api, String name, Map<String, String> annotations) {
        pools(api).inNamespace(NS).withName(name).edit(pool -> new GenericKubernetesResourceBuilder(pool)
                .editMetadata().withAnnotations(annotations).endMetadata().build());
    }
}
