package io.inferpulse.autoscaler.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code spec.behavior} as users write it in their HPA manifests. */
class BehaviorYamlTest {
    private static final Duration CONTROLLER_WINDOW = Duration.ofMinutes(5);

    @Test
    void shouldReadTheDocumentationsScaleDownExampleAndDefaultTheRest() throws IOException {
        Behavior behavior = read("""
                behavior:
                  scaleDown:
                    policies:
                    - type: Pods
                      value: 4
                      periodSeconds: 60
                    - type: Percent
                      value: 10
                      periodSeconds: 60
                """);

        assertThat(behavior.scaleDown()).isEqualTo(new ScalingRules(CONTROLLER_WINDOW, ScalingRules.Select.MAX, List.of(
                ScalingPolicy.pods(4, Duration.ofMinutes(1)), ScalingPolicy.percent(10, Duration.ofMinutes(1)))));
        assertThat(behavior.scaleUp()).isEqualTo(ScalingRules.defaultScaleUp());
    }

    @Test
    void shouldTakeTheBehaviorOutOfAWholeManifest() throws IOException {
        Behavior behavior = read("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata:
                  name: pool
                spec:
                  minReplicas: 1
                  maxReplicas: 10
                  behavior:
                    scaleUp:
                      stabilizationWindowSeconds: 60
                      selectPolicy: Disabled
                """);

        assertThat(behavior.scaleUp()).isEqualTo(new ScalingRules(Duration.ofMinutes(1), ScalingRules.Select.DISABLED,
                ScalingRules.defaultScaleUp().policies()));
        assertThat(behavior.scaleDown()).isEqualTo(ScalingRules.defaultScaleDown(CONTROLLER_WINDOW));
    }

    @Test
    void shouldNameLineAndFieldOfABadPolicy() {
        assertThatThrownBy(() -> read("""
                scaleUp:
                  policies:
                  - type: Pods
                    value: 4
                    periodSeconds: 3600
                """))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("behavior\\.yaml:[56]: scaleUp\\.policies\\[0]: policy periodSeconds must be between 1 and 1800, got 3600");
    }

    @Test
    void shouldNameAnUnknownField() {
        assertThatThrownBy(() -> read("""
                scaleDown:
                  stabilisationWindowSeconds: 60
                """))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("behavior\\.yaml:[23]: scaleDown\\.stabilisationWindowSeconds: Unrecognized field.*");
    }

    private static Behavior read(String yaml) throws IOException {
        return BehaviorYaml.read("behavior.yaml", new StringReader(yaml), CONTROLLER_WINDOW);
    }
}
