package io.inferpulse.autoscaler.hpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a pool's annotations ask for, and the messages that name a wrong annotation. */
class AutoscaleAnnotationsTest {

    @Test
    void shouldFillInTheSeedsChoicesForWhatIsNotAnnotated() {
        PoolHpa hpa = read(Map.of("inferpulse.io/autoscale", "true", "inferpulse.io/autoscale-max", "8",
                "inferpulse.io/autoscale-value", "0.8"));

        assertThat(hpa).isEqualTo(new PoolHpa("inference", "llama", ScaleTarget.deploymentNamed("llama"), 1, 8,
                HpaMetric.KV_CACHE_AVERAGE, MetricTarget.value("0.8"), NameForm.EPP, Optional.empty()));
    }

    @Test
    void shouldNameTheAnnotationThatIsMissingOrWrong() {
        assertThatThrownBy(() -> read(Map.of("inferpulse.io/autoscale", "true", "inferpulse.io/autoscale-value", "1")))
                .hasMessage("inferpulse.io/autoscale-max is required");
        assertThatThrownBy(() -> read(Map.of("inferpulse.io/autoscale-max", "8")))
                .hasMessage("set exactly one of inferpulse.io/autoscale-value and inferpulse.io/autoscale-average-value");
        assertThatThrownBy(() -> read(Map.of("inferpulse.io/autoscale-max", "8", "inferpulse.io/autoscale-value", "1",
                "inferpulse.io/autoscale-average-value", "1")))
                .hasMessage("set exactly one of inferpulse.io/autoscale-value and inferpulse.io/autoscale-average-value");
        assertThatThrownBy(() -> read(Map.of("inferpulse.io/autoscale-max", "8",
                "inferpulse.io/autoscale-average-value", "-1")))
                .hasMessage("inferpulse.io/autoscale-average-value: target \"-1\" must be greater than zero");
        assertThatThrownBy(() -> read(Map.of("inferpulse.io/autoscale-max", "8", "inferpulse.io/autoscale-value", "1",
                "inferpulse.io/autoscale-metric", "gpu")))
                .hasMessageStartingWith("inferpulse.io/autoscale-metric: unknown metric \"gpu\"; use one of kv-cache-average");
        assertThatThrownBy(() -> read(Map.of("inferpulse.io/autoscale-max", "8", "inferpulse.io/autoscale-value", "1",
                "inferpulse.io/scale-target", "llama")))
                .hasMessageStartingWith("inferpulse.io/scale-target: scale target \"llama\" is not KIND/NAME");
    }

    @Test
    void shouldTreatOnlyTrueAsAskingForAnHpa() {
        assertThat(AutoscaleAnnotations.enabled(Map.of("inferpulse.io/autoscale", "True"))).isTrue();
        assertThat(AutoscaleAnnotations.enabled(Map.of("inferpulse.io/autoscale", "false"))).isFalse();
        assertThat(AutoscaleAnnotations.enabled(Map.of())).isFalse();
        assertThat(AutoscaleAnnotations.enabled(null)).isFalse();
    }

    private static PoolHpa read(Map<String, String> annotations) {
        return AutoscaleAnnotations.read("inference", "llama", annotations, NameForm.EPP, Optional.empty());
    }
}
