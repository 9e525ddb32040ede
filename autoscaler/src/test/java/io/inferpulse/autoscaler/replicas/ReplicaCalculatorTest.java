package io.inferpulse.autoscaler.replicas;

import static io.inferpulse.autoscaler.replicas.PodState.NOT_READY;
import static io.inferpulse.autoscaler.replicas.PodState.PENDING;
import static io.inferpulse.autoscaler.replicas.PodState.READY;
import static io.inferpulse.autoscaler.replicas.PodState.TERMINATING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Cases from Kubernetes' {@code pkg/controller/podautoscaler/replica_calculator_test.go}; each display
 * name is the Go test it mirrors. Kubernetes states values in milli-units ({@code levels: 8600} is 8.6).
 * Its CPU cases use pods requesting 1 CPU, so a utilization target of 50% is a per-pod target of 0.5 and
 * a level of 100m is 0.1; they carry over to a Pods metric unchanged, with one difference: for CPU an
 * unready pod is set aside, for other metrics only a pending one is, so those cases use PENDING here.
 */
class ReplicaCalculatorTest {
    private final ReplicaCalculator calculator = new ReplicaCalculator(ReplicaCalculator.DEFAULT_TOLERANCE);

    @Nested
    class ExternalValue {
        @Test
        @DisplayName("TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods: only ready pods multiply the ratio")
        void shouldScaleTheReadyPodsByTheUsageRatio() throws MetricException {
            int replicas = calculator.replicas(new MetricSample.ExternalValue("qps", 8.6, 4.4), 3,
                    pods(NOT_READY, READY, NOT_READY));

            // ceil(8.6 / 4.4 x 1 ready pod); with all three counted it would be 6
            assertThat(replicas).isEqualTo(2);
        }

        @Test
        @DisplayName("TestReplicaCalcScaleDownCMExternal")
        void shouldScaleDown() throws MetricException {
            int replicas = calculator.replicas(new MetricSample.ExternalValue("qps", 8.6, 14.334), 5, allReady(5));

            assertThat(replicas).isEqualTo(3);
        }

        @Test
        @DisplayName("TestReplicaCalcToleranceCMExternal: a ratio of 0.97 is within 10 %")
        void shouldKeepTheCountWithinTolerance() throws MetricException {
            int replicas = calculator.replicas(new MetricSample.ExternalValue("qps", 8.6, 8.888), 3, allReady(3));

            assertThat(replicas).isEqualTo(3);
        }

        @Test
        @DisplayName("getUsageRatioReplicaCount with currentReplicas 0: scale from zero by the ratio alone")
        void shouldScaleFromZeroByTheRatioAlone() throws MetricException {
            int replicas = calculator.replicas(new MetricSample.ExternalValue("qps", 8.6, 4.4), 0, List.of());

            assertThat(replicas).isEqualTo(2);
        }

        @Test
        void shouldComputeDecimalRatiosExactlyAsMilliUnits() throws MetricException {
            // 0.3 / 0.1 is 2.9999999999999996 in doubles; HPA's milli-units make it 3, and 3 x 3 pods = 9
            int replicas = calculator.replicas(new MetricSample.ExternalValue("kv", 0.3, 0.1), 3, allReady(3));

            assertThat(replicas).isEqualTo(9);
        }

        @Test
        void shouldRefuseWhenThereAreNoPodsToCount() {
            assertThatThrownBy(() -> calculator.replicas(new MetricSample.ExternalValue("qps", 8.6, 4.4), 3, List.of()))
                    .isInstanceOf(MetricException.class)
                    .hasMessageContaining("no pods returned by selector");
        }
    }

    @Nested
    class ExternalAverageValue {
        @Test
        @DisplayName("TestReplicaCalcScaleUpPerPodCMExternal")
        void shouldScaleUpToUsageOverTarget() throws MetricException {
            int replicas = calculator.replicas(new MetricSample.ExternalAverageValue("qps", 8.6, 2.15), 3, allReady(3));

            assertThat(replicas).isEqualTo(4);
        }

        @Test
        @DisplayName("TestReplicaCalcScaleDownPerPodCMExternal")
        void shouldScaleDownToUsageOverTarget() throws MetricException {
            int replicas = calculator.replicas(new MetricSample.ExternalAverageValue("qps", 8.6, 2.867), 5, allReady(5));

            assertThat(replicas).isEqualTo(3);
        }

        @Test
        @DisplayName("TestReplicaCalcTolerancePerPodCMExternal: 8.6 over 3 pods is 2.867, within 10 % of 2.9")
        void shouldKeepTheCountWithinTolerance() throws MetricException {
            int replicas = calculator.replicas(new MetricSample.ExternalAverageValue("qps", 8.6, 2.9), 3, allReady(3));

            assertThat(replicas).isEqualTo(3);
        }

        @Test
        void shouldIgnoreTheCurrentCountSoAnAveragedMetricShrinksAnyPool() throws MetricException {
            // The seeds' pitfall: a pool's average KV-cache use of 0.8 against AverageValue 0.5 asks for
            // ceil(0.8 / 0.5) = 2 pods, whether the pool has 10 pods or 1
            int replicas = calculator.replicas(new MetricSample.ExternalAverageValue("kv", 0.8, 0.5), 10, allReady(10));

            assertThat(replicas).isEqualTo(2);
        }
    }

    @Nested
    class PodsAverageValue {
        @Test
        @DisplayName("TestReplicaCalcScaleUpCM")
        void shouldScaleUpByTheAverage() throws MetricException {
            assertThat(proposal(values(20, 10, 30), 15, allReady(3), 3)).isEqualTo(4);
        }

        @Test
        @DisplayName("TestReplicaCalcScaleDownCM")
        void shouldScaleDownByTheAverage() throws MetricException {
            assertThat(proposal(values(12, 12, 12, 12, 12), 20, allReady(5), 5)).isEqualTo(3);
        }

        @Test
        @DisplayName("TestReplicaCalcToleranceCM: an average of 20.666 against 20 is within 10 %")
        void shouldKeepTheCountWithinTolerance() throws MetricException {
            assertThat(proposal(values(20, 21, 21), 20, allReady(3), 3)).isEqualTo(3);
        }

        @Test
        void shouldScaleOnTheSameSamplesOnceTheToleranceIsTighter() throws MetricException {
            ReplicaCalculator tight = new ReplicaCalculator(0.02);

            int replicas = tight.replicas(new MetricSample.PodsAverageValue("qps", values(20, 21, 21), 20), 3, allReady(3));

            assertThat(replicas).isEqualTo(4);
        }

        @Test
        @DisplayName("TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale: a running unready pod still counts")
        void shouldCountRunningUnreadyPods() throws MetricException {
            assertThat(proposal(values(50, 10, 30), 15, pods(READY, READY, NOT_READY), 3)).isEqualTo(6);
        }

        @Test
        @DisplayName("TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown")
        void shouldCountRunningUnreadyPodsOnTheWayUp() throws MetricException {
            assertThat(proposal(values(50, 15, 30), 15, pods(NOT_READY, READY, NOT_READY), 3)).isEqualTo(7);
        }

        @Test
        @DisplayName("TestReplicaCalcScaleUpUnreadyLessScale: a pending pod counts as 0 on a scale-up")
        void shouldDampAScaleUpWithPendingPods() throws MetricException {
            // 0.5 and 0.7 average 0.6, twice the target: 3 pods would become 6; with the pending pod at 0, 4
            assertThat(proposal(values(0.3, 0.5, 0.7), 0.3, pods(PENDING, READY, READY), 3)).isEqualTo(4);
        }

        @Test
        @DisplayName("TestReplicaCalcScaleUpUnreadyNoScale: pending pods at 0 would turn the scale-up around")
        void shouldNotScaleWhenPendingPodsReverseTheDirection() throws MetricException {
            assertThat(proposal(values(0.4, 0.5, 0.7), 0.3, pods(READY, PENDING, PENDING), 3)).isEqualTo(3);
        }

        @Test
        @DisplayName("TestReplicaCalcScaleDownExcludeUnscheduledPods: pending pods are left out of a scale-down")
        void shouldLeavePendingPodsOutOfAScaleDown() throws MetricException {
            assertThat(proposal(values(0.1), 0.5, pods(READY, PENDING, PENDING, PENDING, PENDING), 5)).isEqualTo(1);
        }

        @Test
        @DisplayName("TestReplicaCalcScaleUpIgnoresDeletionPods")
        void shouldIgnoreTerminatingPods() throws MetricException {
            Map<String, Double> samples = values(0.5, 0.7, 0.1, 0.1);

            assertThat(proposal(samples, 0.3, pods(READY, READY, TERMINATING, TERMINATING), 2)).isEqualTo(4);
        }

        @Test
        @DisplayName("TestReplicaCalcMissingMetrics: on a scale-down, missing pods count as at target")
        void shouldAssumeMissingPodsAtTargetOnAScaleDown() throws MetricException {
            // alone, 0.4 and 0.095 against 1.0 would ask for 1; with two pods at 1.0, ceil(0.623 x 4) = 3
            assertThat(proposal(values(0.4, 0.095), 1.0, allReady(4), 4)).isEqualTo(3);
        }

        @Test
        @DisplayName("TestReplicaCalcMissingMetricsNoChangeEq")
        void shouldKeepTheCountWhenTheKnownPodsAreOnTarget() throws MetricException {
            assertThat(proposal(values(1.0), 1.0, allReady(2), 2)).isEqualTo(2);
        }

        @Test
        @DisplayName("TestReplicaCalcMissingMetricsNoChangeGt: on a scale-up, missing pods count as 0")
        void shouldAssumeMissingPodsIdleOnAScaleUp() throws MetricException {
            // 1.9 alone asks for 4; averaged with a missing pod at 0 it is 0.95, within tolerance
            assertThat(proposal(values(1.9), 1.0, allReady(2), 2)).isEqualTo(2);
        }

        @Test
        @DisplayName("TestReplicaCalcMissingMetricsNoChangeLt")
        void shouldNotScaleDownBelowTheCountOfPodsConsidered() throws MetricException {
            assertThat(proposal(values(0.6), 1.0, allReady(2), 2)).isEqualTo(2);
        }

        @Test
        @DisplayName("TestReplicaCalcMissingMetricsUnreadyScaleUp: missing and pending pods both count as 0")
        void shouldDampAScaleUpWithMissingAndPendingPods() throws MetricException {
            Map<String, Double> samples = values(0.1, 2.0);

            assertThat(proposal(samples, 0.5, pods(PENDING, READY, READY), 3)).isEqualTo(4);
        }

        @Test
        void shouldRefuseWhenNoPodHasASample() {
            MetricSample sample = new MetricSample.PodsAverageValue("qps", values(1.0, 1.0), 1.0);

            assertThatThrownBy(() -> calculator.replicas(sample, 2, pods(PENDING, PENDING)))
                    .isInstanceOf(MetricException.class)
                    .hasMessage("did not receive metrics for targeted pods (pods might be unready)");
        }

        private int proposal(Map<String, Double> samples, double target, List<Pod> pods, int current) throws MetricException {
            return calculator.replicas(new MetricSample.PodsAverageValue("qps", samples, target), current, pods);
        }
    }

    @Test
    void shouldReportAnUnavailableMetricAsAnError() {
        assertThatThrownBy(() -> calculator.replicas(new MetricSample.Unavailable("kv", "value is 40s old"), 2, allReady(2)))
                .isInstanceOf(MetricException.class)
                .hasMessage("unable to get metric kv: value is 40s old");
    }

    /** Samples for pod-0, pod-1, ... in order. */
    private static Map<String, Double> values(double... values) {
        Map<String, Double> byPod = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            byPod.put("pod-" + i, values[i]);
        }
        return byPod;
    }

    private static List<Pod> pods(PodState... states) {
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            pods.add(new Pod("pod-" + i, states[i]));
        }
        return pods;
    }

    private static List<Pod> allReady(int count) {
        return Pod.numbered(count, count);
    }
}
