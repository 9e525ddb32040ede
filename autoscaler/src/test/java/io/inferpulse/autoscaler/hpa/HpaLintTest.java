package io.inferpulse.autoscaler.hpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AverageValue-on-a-pool-average check, on the seed's manifest and on manifests that do it right. */
class HpaLintTest {

    @Test
    void shouldWarnAboutTheSeedManifestAndSayToUseValue() throws IOException {
        List<HpaLint.Finding> findings = HpaLint.check("seed.yaml", resource("/hpa/seed-000-hpa.yaml"));

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.document()).isEqualTo(1);
            assertThat(finding.hpa()).isEqualTo("INFERENCE_POOL_NAMESPACE/INFERENCE_POOL_NAME");
            assertThat(finding.metric()).isZero();
            assertThat(finding.metricName())
                    .isEqualTo("prometheus.googleapis.com|inference_pool_average_kv_cache_utilization|gauge");
            assertThat(finding.message()).isEqualTo("seed.yaml, document 1: HorizontalPodAutoscaler "
                    + "INFERENCE_POOL_NAMESPACE/INFERENCE_POOL_NAME, spec.metrics[0]: AverageValue target on the pool "
                    + "average prometheus.googleapis.com|inference_pool_average_kv_cache_utilization|gauge. HPA scales "
                    + "an AverageValue target to ceil(value / target) whatever the current replica count, and a pool "
                    + "average does not grow with the pool. Use target.type: Value (value: the same target), which "
                    + "scales to ceil(ready pods x value / target).");
        });
    }

    @Test
    void shouldAcceptValueOnAnAverageAndAverageValueOnASum() {
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata: {name: not-an-hpa}
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: llama, namespace: inference}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: llama}
                  minReplicas: 1
                  maxReplicas: 8
                  metrics:
                  - type: External
                    external:
                      metric:
                        name: prometheus.googleapis.com|inference_pool_average_kv_cache_utilization|gauge
                        selector: {matchLabels: {metric.labels.name: llama}}
                      target: {type: Value, value: 800m}
                  - type: External
                    external:
                      metric:
                        name: inference_pool_total_queue_size
                        selector: {matchLabels: {name: llama}}
                      target: {type: AverageValue, averageValue: "5"}
                """;

        assertThat(HpaLint.check("good.yaml", yaml)).isEmpty();
    }

    @Test
    void shouldNameTheDocumentAndOfferThePoolSumInTheSameNameForm() {
        String yaml = """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: autoscaling/v2
                  kind: HorizontalPodAutoscaler
                  metadata: {name: fine}
                  spec:
                    metrics:
                    - type: External
                      external:
                        metric: {name: inference_pool_ready_pods}
                        target: {type: AverageValue, averageValue: "1"}
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: mistral}
                spec:
                  metrics:
                  - type: Resource
                    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
                  - type: External
                    external:
                      metric: {name: inference_pool_average_queue_size}
                      target: {type: AverageValue, averageValue: "5"}
                """;

        List<HpaLint.Finding> findings = HpaLint.check("hpas.yaml", yaml);

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.document()).isEqualTo(2);
            assertThat(finding.hpa()).isEqualTo("mistral");
            assertThat(finding.metric()).isEqualTo(1);
            assertThat(finding.metricName()).isEqualTo("inference_pool_average_queue_size");
            assertThat(finding.advice()).endsWith("Use target.type: Value (value: the same target), which scales to "
                    + "ceil(ready pods x value / target), or the pool sum inference_pool_total_queue_size with "
                    + "AverageValue set to the target per replica.");
        });
    }

    @Test
    void shouldReportTheLineOfMalformedYaml() {
        assertThatThrownBy(() -> HpaLint.check("broken.yaml", "kind: HorizontalPodAutoscaler\nspec: [\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("broken.yaml:3: malformed YAML: expected the node content, but found '<stream end>'");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = HpaLintTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
