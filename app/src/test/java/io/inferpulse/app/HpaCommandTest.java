package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.ExternalMetricSource;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code inferpulse autoscaler hpa}: the printed manifest, read back as kubectl apply would send it. */
class HpaCommandTest {
    /** Seed 000's HPA (GKE Inference Gateway, autoscaling step 4) with its placeholders filled in. */
    private static final String SEED_MANIFEST = """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: vllm-llama3-8b-instruct
              namespace: inference
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: vllm-llama3-8b-instruct
              minReplicas: 2
              maxReplicas: 8
              metrics:
              - type: External
                external:
                  metric:
                    name: prometheus.googleapis.com|inference_pool_average_kv_cache_utilization|gauge
                    selector:
                      matchLabels:
                        metric.labels.name: vllm-llama3-8b-instruct
                        resource.labels.cluster: prod-us
                        resource.labels.namespace: inference
                  target:
                    type: AverageValue
                    averageValue: 0.8
            """;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldPrintTheSeedManifestGivenTheSeedInputsAndWarnAboutItsTarget() {
        int exit = run("autoscaler", "hpa", "--pool", "vllm-llama3-8b-instruct", "--namespace", "inference",
                "--min", "2", "--max", "8", "--metric", "kv-cache-average", "--average-value", "0.8",
                "--name-form", "stackdriver", "--cluster", "prod-us");

        assertThat(exit).isZero();
        assertThat(read(out.toString())).isEqualTo(read(SEED_MANIFEST));
        assertThat(err.toString()).startsWith("warning: AverageValue target on the pool average "
                + "inference_pool_average_kv_cache_utilization. ").contains("Use target.type: Value");
    }

    @Test
    void shouldPrintAnEppNamedHpaForTheGivenWorkloadAndTarget() {
        int exit = run("autoscaler", "hpa", "--pool", "llama", "-n", "serving", "--target", "lws/llama-405b",
                "--max", "6", "--metric", "queue-sum", "--average-value", "5", "--cluster", "eu-1");

        assertThat(exit).isZero();
        assertThat(err.toString()).isEmpty();
        HorizontalPodAutoscaler hpa = read(out.toString());
        assertThat(hpa.getMetadata().getName()).isEqualTo("llama");
        assertThat(hpa.getMetadata().getNamespace()).isEqualTo("serving");
        assertThat(hpa.getMetadata().getLabels()).isNullOrEmpty();
        assertThat(hpa.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("leaderworkerset.x-k8s.io/v1");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("LeaderWorkerSet");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("llama-405b");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(1);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(metric -> {
            assertThat(metric.getType()).isEqualTo("External");
            ExternalMetricSource external = metric.getExternal();
            assertThat(external.getMetric().getName()).isEqualTo("inference_pool_total_queue_size");
            assertThat(external.getMetric().getSelector().getMatchLabels())
                    .isEqualTo(Map.of("name", "llama", "cluster", "eu-1"));
            assertThat(external.getTarget().getType()).isEqualTo("AverageValue");
            assertThat(external.getTarget().getAverageValue()).isEqualTo(new Quantity("5"));
        });
    }

    @Test
    void shouldRefuseTheStackdriverFormWithoutACluster() {
        int exit = run("autoscaler", "hpa", "--pool", "llama", "--max", "4", "--value", "0.8",
                "--name-form", "stackdriver");

        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).startsWith("the stackdriver name form needs a cluster name");
    }

    @Test
    void shouldRefuseBothTargetTypesAtOnce() {
        int exit = run("autoscaler", "hpa", "--pool", "llama", "--max", "4", "--value", "0.8",
                "--average-value", "0.8");

        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("--value", "--average-value", "mutually exclusive");
    }

    private static HorizontalPodAutoscaler read(String yaml) {
        return new KubernetesSerialization().unmarshal(yaml, HorizontalPodAutoscaler.class);
    }

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
