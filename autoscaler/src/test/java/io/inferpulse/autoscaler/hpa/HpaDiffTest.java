package io.inferpulse.autoscaler.hpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.inferpulse.autoscaler.hpa.HpaDiff.Key;
import io.inferpulse.autoscaler.hpa.HpaDiff.Pool;
import io.inferpulse.kube.InferencePoolApi;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reconciler's decisions as data: given the pools and the HPAs as they are, what it writes.
 * Each row reads "create|update|delete namespace/name scale-target min..max metric by owners", or
 * "leave namespace/name: why" for an asking pool whose HPA stays as it is.
 */
class HpaDiffTest {

    private static final String NS = "inference";
    private static final Map<String, String> AUTOSCALE = Map.of(
            AutoscaleAnnotations.AUTOSCALE, "true",
            AutoscaleAnnotations.MAX, "8",
            AutoscaleAnnotations.VALUE, "0.8");

    static Stream<Arguments> cases() {
        Pool llama = v1("llama", AUTOSCALE);
        return Stream.of(
                row("a new annotated pool gets an HPA",
                        List.of(llama), List.of(),
                        "create inference/llama Deployment/llama 1..8 kv-cache-average by v1"),
                row("a pool of the v1alpha2 group gets one too",
                        List.of(v1alpha2("llama", AUTOSCALE)), List.of(),
                        "create inference/llama Deployment/llama 1..8 kv-cache-average by v1alpha2"),
                row("a pool without the annotation gets none",
                        List.of(v1("llama", Map.of())), List.of()),
                row("a pool annotated other than \"true\" gets none",
                        List.of(v1("llama", with(AUTOSCALE, AutoscaleAnnotations.AUTOSCALE, "false"))), List.of()),
                row("an HPA as its pool asks is left as it is",
                        List.of(llama), List.of(createdFor(llama))),
                row("an HPA whose behavior a user tuned is left as it is",
                        List.of(llama), List.of(withBehavior(createdFor(llama)))),
                row("a changed budget updates the HPA",
                        List.of(v1("llama", with(AUTOSCALE, AutoscaleAnnotations.MAX, "12"))), List.of(createdFor(llama)),
                        "update inference/llama Deployment/llama 1..12 kv-cache-average by v1"),
                row("a changed target updates the HPA",
                        List.of(v1("llama", with(AUTOSCALE, AutoscaleAnnotations.SCALE_TARGET, "lws/llama-405b"))),
                        List.of(createdFor(llama)),
                        "update inference/llama LeaderWorkerSet/llama-405b 1..8 kv-cache-average by v1"),
                row("a changed metric updates the HPA",
                        List.of(v1("llama", Map.of(AutoscaleAnnotations.AUTOSCALE, "true", AutoscaleAnnotations.MAX, "8",
                                AutoscaleAnnotations.METRIC, "queue-sum", AutoscaleAnnotations.AVERAGE_VALUE, "5"))),
                        List.of(createdFor(llama)),
                        "update inference/llama Deployment/llama 1..8 queue-sum by v1"),
                row("a pool deleted and created again under its name owns the HPA anew",
                        List.of(new Pool(InferencePoolApi.V1, new Key(NS, "llama"), "uid-2", AUTOSCALE)),
                        List.of(createdFor(llama)),
                        "update inference/llama Deployment/llama 1..8 kv-cache-average by v1"),
                row("a pool whose annotation is removed loses its HPA",
                        List.of(v1("llama", Map.of())), List.of(createdFor(llama)),
                        "delete inference/llama"),
                row("a removed pool's HPA goes",
                        List.of(), List.of(createdFor(llama)),
                        "delete inference/llama"),
                row("an HPA not ours named like an asking pool is left alone",
                        List.of(llama), List.of(notOurs("llama")),
                        "leave inference/llama: not ours"),
                row("an HPA not ours that no pool asks for is left alone",
                        List.of(v1("mistral", Map.of())), List.of(notOurs("mistral"))),
                row("a pool whose annotations become wrong keeps its HPA",
                        List.of(v1("llama", with(AUTOSCALE, AutoscaleAnnotations.MAX, "lots"))),
                        List.of(createdFor(llama)),
                        "leave inference/llama: wrong annotations"),
                row("a pool whose annotations are wrong gets no HPA",
                        List.of(v1("llama", with(AUTOSCALE, AutoscaleAnnotations.MIN, "9"))), List.of(),
                        "leave inference/llama: wrong annotations"),
                row("same-named pools of both groups share one HPA on the v1 pool's annotations",
                        List.of(v1alpha2("llama", with(AUTOSCALE, AutoscaleAnnotations.MAX, "4")),
                                v1("llama", with(AUTOSCALE, AutoscaleAnnotations.MAX, "6"))), List.of(),
                        "create inference/llama Deployment/llama 1..6 kv-cache-average by v1+v1alpha2"),
                row("when the v1 pool stops asking, the v1alpha2 pool's annotations take over",
                        List.of(v1("llama", Map.of()), v1alpha2("llama", with(AUTOSCALE, AutoscaleAnnotations.MAX, "4"))),
                        List.of(createdFor(v1("llama", AUTOSCALE), v1alpha2("llama", AUTOSCALE))),
                        "update inference/llama Deployment/llama 1..4 kv-cache-average by v1alpha2"),
                row("pools named alike in two namespaces get an HPA each",
                        List.of(llama, new Pool(InferencePoolApi.V1, new Key("team-b", "llama"), "uid-b", AUTOSCALE)),
                        List.of(),
                        "create inference/llama Deployment/llama 1..8 kv-cache-average by v1",
                        "create team-b/llama Deployment/llama 1..8 kv-cache-average by v1"),
                row("every pool is reconciled on its own",
                        List.of(llama, v1("gemma", AUTOSCALE), v1("mistral", Map.of())),
                        List.of(createdFor(v1("gemma", with(AUTOSCALE, AutoscaleAnnotations.MIN, "2"))),
                                createdFor(v1("mistral", AUTOSCALE))),
                        "create inference/llama Deployment/llama 1..8 kv-cache-average by v1",
                        "update inference/gemma Deployment/gemma 1..8 kv-cache-average by v1",
                        "delete inference/mistral"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldWriteWhatThePoolsAskForAndNothingElse(String behaviour, List<Pool> pools,
                                                     List<HorizontalPodAutoscaler> existing, List<String> expected) {
        assertThat(summary(diff(pools, existing))).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void shouldLabelTheHpaAsManagedAndMakeEveryAskingPoolAnOwner() {
        HpaDiff diff = diff(List.of(v1("llama", AUTOSCALE), v1alpha2("llama", AUTOSCALE)), List.of());

        HorizontalPodAutoscaler hpa = diff.creates().getFirst().hpa();
        assertThat(hpa.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "inferpulse");
        assertThat(hpa.getMetadata().getOwnerReferences())
                .extracting(OwnerReference::getApiVersion, OwnerReference::getKind, OwnerReference::getName,
                        OwnerReference::getUid)
                .containsExactly(
                        tuple("inference.networking.k8s.io/v1", "InferencePool", "llama",
                                "uid-v1-llama"),
                        tuple("inference.networking.x-k8s.io/v1alpha2", "InferencePool",
                                "llama", "uid-v1alpha2-llama"));
    }

    @Test
    void shouldSayWhyAnAskingPoolsHpaIsLeftAsItIs() {
        HpaDiff diff = diff(List.of(v1("llama", with(AUTOSCALE, AutoscaleAnnotations.MAX, "lots")),
                v1("gemma", AUTOSCALE)), List.of(notOurs("gemma")));

        assertThat(diff.problems()).containsOnlyKeys(new Key(NS, "llama"), new Key(NS, "gemma"));
        assertThat(diff.problems().get(new Key(NS, "llama"))).isEqualTo("InferencePool inference/llama "
                + "(inference.networking.k8s.io/v1) asks for an HPA but its annotations are wrong, so its HPA stays as "
                + "it is: inferpulse.io/autoscale-max: \"lots\" is not a whole number");
        assertThat(diff.problems().get(new Key(NS, "gemma"))).isEqualTo("HPA inference/gemma exists and is not managed "
                + "by inferpulse (no label app.kubernetes.io/managed-by=inferpulse); leaving it alone");
        assertThat(diff.asked()).containsExactlyInAnyOrder(new Key(NS, "llama"), new Key(NS, "gemma"));
    }

    private static Arguments row(String behaviour, List<Pool> pools, List<HorizontalPodAutoscaler> existing,
                                 String... expected) {
        return Arguments.of(behaviour, pools, existing, List.of(expected));
    }

    private static HpaDiff diff(List<Pool> pools, List<HorizontalPodAutoscaler> existing) {
        return HpaDiff.between(pools, existing, NameForm.EPP, Optional.empty());
    }

    private static List<String> summary(HpaDiff diff) {
        List<String> lines = new ArrayList<>();
        diff.creates().forEach(write -> lines.add("create " + summary(write)));
        diff.updates().forEach(write -> lines.add("update " + summary(write)));
        diff.deletes().forEach(key -> lines.add("delete " + key));
        diff.problems().forEach((key, problem) -> lines.add("leave " + key + ": "
                + (problem.equals(HpaDiff.notOurs(key)) ? "not ours" : "wrong annotations")));
        return lines;
    }

    private static String summary(HpaDiff.Write write) {
        PoolHpa wanted = write.wanted();
        String owners = write.hpa().getMetadata().getOwnerReferences().stream()
                .map(owner -> owner.getApiVersion().substring(owner.getApiVersion().indexOf('/') + 1))
                .collect(Collectors.joining("+"));
        return write.key() + " " + write.hpa().getSpec().getScaleTargetRef().getKind() + "/"
                + write.hpa().getSpec().getScaleTargetRef().getName() + " " + wanted.minReplicas() + ".."
                + wanted.maxReplicas() + " " + wanted.metric().option() + " by " + owners;
    }

    private static Pool v1(String name, Map<String, String> annotations) {
        return pool(InferencePoolApi.V1, name, annotations);
    }

    private static Pool v1alpha2(String name, Map<String, String> annotations) {
        return pool(InferencePoolApi.V1ALPHA2, name, annotations);
    }

    private static Pool pool(InferencePoolApi api, String name, Map<String, String> annotations) {
        return new Pool(api, new Key(NS, name), "uid-" + api.version() + "-" + name, annotations);
    }

    /** The HPA the reconciler created for these pools earlier. */
    private static HorizontalPodAutoscaler createdFor(Pool... pools) {
        return diff(List.of(pools), List.of()).creates().getFirst().hpa();
    }

    private static HorizontalPodAutoscaler withBehavior(HorizontalPodAutoscaler hpa) {
        return new HorizontalPodAutoscalerBuilder(hpa).editSpec().withNewBehavior().withNewScaleDown()
                .withStabilizationWindowSeconds(600).endScaleDown().endBehavior().endSpec().build();
    }

    /** An HPA someone else wrote, as {@code inferpulse autoscaler hpa} prints it: no label, no owner. */
    private static HorizontalPodAutoscaler notOurs(String name) {
        return HpaManifests.build(new PoolHpa(NS, name, ScaleTarget.deploymentNamed(name), 3, 3, HpaMetric.READY_PODS,
                MetricTarget.value("1"), NameForm.EPP, Optional.empty()));
    }

    private static Map<String, String> with(Map<String, String> annotations, String key, String value) {
        Map<String, String> changed = new HashMap<>(annotations);
        changed.put(key, value);
        return changed;
    }
}
