package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code inferpulse autoscaler lint}: what a user sees for the seed's HPA, a correct one and a broken file. */
class HpaLintCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;
    private Path seed;
    private Path good;

    @BeforeEach
    void writeManifests() throws Exception {
        seed = Files.writeString(dir.resolve("seed-hpa.yaml"), """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata:
                  name: INFERENCE_POOL_NAME
                  namespace: INFERENCE_POOL_NAMESPACE
                spec:
                  scaleTargetRef:
                    apiVersion: apps/v1
                    kind: Deployment
                    name: INFERENCE_POOL_NAME
                  minReplicas: MIN_REPLICAS
                  maxReplicas: MAX_REPLICAS
                  metrics:
                  - type: External
                    external:
                      metric:
                        name: prometheus.googleapis.com|inference_pool_average_kv_cache_utilization|gauge
                        selector:
                          matchLabels:
                            metric.labels.name: INFERENCE_POOL_NAME
                            resource.labels.cluster: CLUSTER_NAME
                            resource.labels.namespace: INFERENCE_POOL_NAMESPACE
                      target:
                        type: AverageValue
                        averageValue: TARGET_VALUE
                """);
        good = Files.writeString(dir.resolve("good-hpa.yaml"), """
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
                      metric: {name: inference_pool_average_kv_cache_utilization, selector: {matchLabels: {name: llama}}}
                      target: {type: Value, value: 800m}
                """);
    }

    @Test
    void shouldWarnAboutTheSeedManifestButPassWithoutStrict() {
        int exit = run("autoscaler", "lint", seed.toString(), good.toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).startsWith("warning: " + seed + ", document 1: HorizontalPodAutoscaler "
                + "INFERENCE_POOL_NAMESPACE/INFERENCE_POOL_NAME, spec.metrics[0]: AverageValue target on the pool "
                + "average prometheus.googleapis.com|inference_pool_average_kv_cache_utilization|gauge. ")
                .contains("Use target.type: Value")
                .endsWith("\n1 warning in 2 files\n");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldFailTheSeedManifestWithStrict() {
        assertThat(run("autoscaler", "lint", "--strict", seed.toString())).isEqualTo(1);
    }

    @Test
    void shouldPassACorrectManifestWithStrict() {
        int exit = run("autoscaler", "lint", "--strict", good.toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).isEqualTo("0 warnings in 1 file\n");
    }

    @Test
    void shouldReportMalformedYamlWithItsLine() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "kind: HorizontalPodAutoscaler\nspec: [\n");

        int exit = run("autoscaler", "lint", broken.toString(), good.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).startsWith(broken + ":3: malformed YAML: ");
        assertThat(out.toString()).isEqualTo("0 warnings in 2 files\n");
    }

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
