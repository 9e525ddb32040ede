package io.inferpulse.autoscaler.hpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The HPA printed for a pool, compared with seed 000's manifest and read back as the API server would. */
class HpaManifestsTest {

    @Test
    void shouldWriteTheSeedManifestGivenTheSeedInputs() throws IOException {
        // given the seed's choices: Stackdriver names, kv-cache average, AverageValue, a Deployment named like the pool
        PoolHpa seedInputs = new PoolHpa("inference", "vllm-llama3-8b-instruct",
                ScaleTarget.deploymentNamed("vllm-llama3-8b-instruct"), 2, 8, HpaMetric.KV_CACHE_AVERAGE,
                MetricTarget.averageValue("0.8"), NameForm.STACKDRIVER, Optional.of("prod-us"));

        // when the HPA is written
        String yaml = HpaManifests.toYaml(HpaManifests.build(seedInputs));

        // then it is the seed's manifest with its placeholders filled in, key for key and in the same order
        String seed = resource("/hpa/seed-000-hpa.yaml").lines().filter(line -> !line.startsWith("#"))
                .map(line -> line + "\n").reduce("", String::concat)
                .replace("INFERENCE_POOL_NAMESPACE", "inference")
                .replace("INFERENCE_POOL_NAME", "vllm-llama3-8b-instruct")
                .replace("MIN_REPLICAS", "2")
                .replace("MAX_REPLICAS", "8")
                .replace("CLUSTER_NAME", "prod-us")
                .replace("TARGET_VALUE", "0.8");
        assertThat(yaml).isEqualTo(seed);
    }

    @Test
    void shouldSelectThePoolByItsNameLabelInTheEppFormWithAValueTarget() {
        PoolHpa hpa = new PoolHpa("inference", "llama", ScaleTarget.parse("lws/llama-405b"), 1, 4,
                HpaMetric.QUEUE_AVERAGE, MetricTarget.value("5"), NameForm.EPP, Optional.empty());

        HorizontalPodAutoscaler read = new KubernetesSerialization().unmarshal(
                HpaManifests.toYaml(HpaManifests.build(hpa)), HorizontalPodAutoscaler.class);

        assertThat(read.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(read.getMetadata().getName()).isEqualTo("llama");
        assertThat(read.getMetadata().getLabels()).isNullOrEmpty();
        assertThat(read.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("leaderworkerset.x-k8s.io/v1");
        assertThat(read.getSpec().getScaleTargetRef().getKind()).isEqualTo("LeaderWorkerSet");
        assertThat(read.getSpec().getScaleTargetRef().getName()).isEqualTo("llama-405b");
        MetricSpec metric = read.getSpec().getMetrics().get(0);
        assertThat(metric.getExternal().getMetric().getName()).isEqualTo("inference_pool_average_queue_size");
        assertThat(metric.getExternal().getMetric().getSelector().getMatchLabels()).isEqualTo(Map.of("name", "llama"));
        assertThat(metric.getExternal().getTarget().getType()).isEqualTo("Value");
        assertThat(metric.getExternal().getTarget().getValue()).isEqualTo(new Quantity("5"));
        assertThat(metric.getExternal().getTarget().getAverageValue()).isNull();
    }

    @Test
    void shouldAddTheClusterLabelToTheEppFormOnlyWhenGiven() {
        PoolHpa hpa = new PoolHpa("inference", "llama", ScaleTarget.deploymentNamed("llama"), 1, 4,
                HpaMetric.QUEUE_SUM, MetricTarget.averageValue("5"), NameForm.EPP, Optional.of("prod-us"));

        MetricSpec metric = HpaManifests.build(hpa).getSpec().getMetrics().get(0);

        assertThat(metric.getExternal().getMetric().getName()).isEqualTo("inference_pool_total_queue_size");
        assertThat(metric.getExternal().getMetric().getSelector().getMatchLabels())
                .isEqualTo(Map.of("name", "llama", "cluster", "prod-us"));
    }

    @Test
    void shouldRefuseSettingsHpaWouldRejectOrNeverMeet() {
        ScaleTarget target = ScaleTarget.deploymentNamed("llama");
        MetricTarget value = MetricTarget.value("5");

        assertThatThrownBy(() -> new PoolHpa("ns", "llama", target, 4, 2, HpaMetric.QUEUE_AVERAGE, value,
                NameForm.EPP, Optional.empty())).hasMessage("max replicas (2) must not be below min replicas (4)");
        assertThatThrownBy(() -> new PoolHpa("ns", "llama", target, 0, 2, HpaMetric.QUEUE_AVERAGE, value,
                NameForm.EPP, Optional.empty())).hasMessage("min replicas must be at least 1, not 0");
        assertThatThrownBy(() -> new PoolHpa("ns", "llama", target, 1, 2, HpaMetric.QUEUE_AVERAGE, value,
                NameForm.STACKDRIVER, Optional.empty())).hasMessage("the stackdriver name form needs a cluster name");
        assertThatThrownBy(() -> MetricTarget.value("0")).hasMessage("target \"0\" must be greater than zero");
        assertThatThrownBy(() -> MetricTarget.value("eighty")).hasMessage("target \"eighty\" is not a Kubernetes quantity");
        assertThatThrownBy(() -> ScaleTarget.parse("daemonset/x"))
                .hasMessage("scale target \"daemonset/x\" has an unknown kind; use deployment, statefulset or leaderworkerset");
        assertThatThrownBy(() -> ScaleTarget.parse("vllm")).hasMessageStartingWith("scale target \"vllm\" is not KIND/NAME");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = HpaManifestsTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
