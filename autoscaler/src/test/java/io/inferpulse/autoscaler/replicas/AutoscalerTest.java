package io.inferpulse.autoscaler.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The controller's normalization, stepped at the 15 s sync period. Cases come from the HPA
 * documentation (kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/) and from
 * Kubernetes' {@code horizontal_test.go}, named in each display name; the expected counts are worked
 * out from the algorithm in each comment.
 */
class AutoscalerTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    @DisplayName("docs, algorithm details: 200m against 100m doubles the pods; 50m halves them after the 5 min window")
    void shouldDoubleAndLaterHalveAsTheDocumentationSays() {
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 10));

        Recommendation up = hpa.recommend(T0, 2, Pod.numbered(2, 2), List.of(perPod(0.2, 0.2)));
        assertThat(up.replicas()).isEqualTo(4);
        assertThat(up.reason()).isEqualTo("SucceededRescale");
        assertThat(up.message()).isEqualTo("New size: 4; reason: qps above target");

        // then every pod drops to half the target: the proposal is 2, held at 4 while 4 is recent
        Recommendation held = hpa.recommend(at(15), 4, Pod.numbered(4, 4), List.of(perPod(0.05, 0.05, 0.05, 0.05)));
        assertThat(held.replicas()).isEqualTo(4);
        assertThat(held.metricReplicas()).hasValue(2);
        assertThat(held.reason()).isEqualTo("ScaleDownStabilized");

        int replicas = 4;
        Recommendation last = held;
        for (int t = 30; t <= 300; t += 15) {
            last = hpa.recommend(at(t), replicas, Pod.numbered(replicas, replicas), List.of(perPod(0.05, 0.05, 0.05, 0.05)));
            replicas = last.replicas();
        }
        // at 300 s the recommendation of 4 made at 0 s is still in the window (it starts at 0 s)
        assertThat(replicas).isEqualTo(4);
        Recommendation down = hpa.recommend(at(315), 4, Pod.numbered(4, 4), List.of(perPod(0.05, 0.05, 0.05, 0.05)));
        assertThat(down.replicas()).isEqualTo(2);
        assertThat(down.message()).isEqualTo("New size: 2; reason: All metrics below target");
    }

    @Test
    @DisplayName("TestScaleDownStabilizeInitialSize: a new HPA counts the current size as a recent recommendation")
    void shouldNotScaleDownRightAfterStarting() {
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 10));

        Recommendation first = hpa.recommend(T0, 5, Pod.numbered(5, 5), List.of(value(3, 5)));

        assertThat(first.metricReplicas()).hasValue(3);
        assertThat(first.replicas()).isEqualTo(5);
        assertThat(first.reason()).isEqualTo("ScaleDownStabilized");
    }

    @Test
    @DisplayName("TestNormalizeDesiredReplicas: without behavior a sync at most doubles, or reaches 4")
    void shouldLimitScaleUpWithoutBehavior() {
        Recommendation fromOne = new Autoscaler(HpaSettings.of(1, 100)).recommend(T0, 1, Pod.numbered(1, 1), List.of(value(20, 1)));
        Recommendation fromTen = new Autoscaler(HpaSettings.of(1, 100)).recommend(T0, 10, Pod.numbered(10, 10), List.of(value(5, 1)));

        assertThat(fromOne.replicas()).isEqualTo(4);
        assertThat(fromOne.reason()).isEqualTo("ScaleUpLimit");
        assertThat(fromTen.metricReplicas()).hasValue(50);
        assertThat(fromTen.replicas()).isEqualTo(20);
    }

    @Test
    void shouldStopAtMaxReplicas() {
        Recommendation capped = new Autoscaler(HpaSettings.of(1, 5)).recommend(T0, 3, Pod.numbered(3, 3), List.of(value(8, 3)));

        assertThat(capped.metricReplicas()).hasValue(8);
        assertThat(capped.replicas()).isEqualTo(5);
        assertThat(capped.reason()).isEqualTo("TooManyReplicas");
    }

    @Test
    void shouldBringTheTargetWithinMinAndMaxBeforeLookingAtMetrics() {
        Recommendation aboveMax = new Autoscaler(HpaSettings.of(2, 5)).recommend(T0, 8, Pod.numbered(8, 8), List.of(value(1, 8)));
        Recommendation belowMin = new Autoscaler(HpaSettings.of(2, 5)).recommend(T0, 1, Pod.numbered(1, 1), List.of(value(1, 1)));
        Recommendation scaledToZero = new Autoscaler(HpaSettings.of(2, 5)).recommend(T0, 0, List.of(), List.of(value(9, 1)));

        assertThat(aboveMax.replicas()).isEqualTo(5);
        assertThat(aboveMax.message()).isEqualTo("New size: 5; reason: Current number of replicas above Spec.MaxReplicas");
        assertThat(belowMin.replicas()).isEqualTo(2);
        assertThat(scaledToZero.replicas()).isZero();
        assertThat(scaledToZero.reason()).isEqualTo("ScalingDisabled");
    }

    @Test
    @DisplayName("computeReplicasForMetrics: several metrics, the largest proposal wins")
    void shouldFollowTheMetricAskingForMostPods() {
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 10));

        Recommendation rec = hpa.recommend(T0, 2, Pod.numbered(2, 2), List.of(
                new MetricSample.ExternalValue("queue", 10, 10),
                new MetricSample.ExternalValue("kv", 1.5, 1)));

        assertThat(rec.replicas()).isEqualTo(3);
        assertThat(rec.message()).isEqualTo("New size: 3; reason: kv above target");
    }

    @Test
    @DisplayName("TestScaleUpOneMetricInvalid: the valid metrics may still scale up")
    void shouldScaleUpWhenAnotherMetricIsUnavailable() {
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 10));

        Recommendation rec = hpa.recommend(T0, 2, Pod.numbered(2, 2), List.of(
                new MetricSample.Unavailable("kv", "value is stale"), value(3, 1)));

        assertThat(rec.replicas()).isEqualTo(4);
    }

    @Test
    @DisplayName("TestScaleDownOneMetricInvalid: never scale down while a metric is unavailable")
    void shouldNotScaleDownWhenAnotherMetricIsUnavailable() {
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 10));

        Recommendation rec = hpa.recommend(T0, 5, Pod.numbered(5, 5), List.of(
                new MetricSample.Unavailable("kv", "value is stale"), value(1, 5)));

        assertThat(rec.replicas()).isEqualTo(5);
        assertThat(rec.metricReplicas()).isEqualTo(OptionalInt.empty());
        assertThat(rec.reason()).isEqualTo("FailedComputeMetricsReplicas");
        assertThat(rec.message()).isEqualTo(
                "invalid metrics (1 invalid out of 2), first error is: unable to get metric kv: value is stale");
    }

    @Test
    @DisplayName("TestScalingWithRules 'scaleUp with default behavior': 100 % or 4 pods per 15 s, whichever is more")
    void shouldDoubleAtMostPerPeriodWithTheDefaultBehavior() {
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 1000).withBehavior(defaultBehavior()));

        Recommendation first = hpa.recommend(T0, 10, Pod.numbered(10, 10), List.of(value(5, 1)));
        // still inside the 15 s period of the first step: the period started at 10, so 20 is the limit
        Recommendation sameCountLater = hpa.recommend(at(10), 20, Pod.numbered(20, 20), List.of(value(5, 1)));
        Recommendation nextPeriod = hpa.recommend(at(15), 20, Pod.numbered(20, 20), List.of(value(5, 1)));

        assertThat(first.replicas()).isEqualTo(20);
        assertThat(first.reason()).isEqualTo("ScaleUpLimit");
        assertThat(sameCountLater.replicas()).isEqualTo(20);
        assertThat(sameCountLater.reason()).isEqualTo("ScaleUpLimit");
        assertThat(nextPeriod.replicas()).isEqualTo(40);
    }

    @Test
    @DisplayName("TestScalingWithRules 'scaleUp with pods policy larger than percent policy'")
    void shouldTakeThePolicyAllowingTheLargestChange() {
        ScalingRules up = new ScalingRules(Duration.ZERO, ScalingRules.Select.MAX, List.of(
                ScalingPolicy.pods(100, Duration.ofSeconds(60)), ScalingPolicy.percent(100, Duration.ofSeconds(60))));
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 1000).withBehavior(new Behavior(up, defaultBehavior().scaleDown())));

        Recommendation rec = hpa.recommend(T0, 10, Pod.numbered(10, 10), List.of(value(500, 10)));

        assertThat(rec.replicas()).isEqualTo(110);
    }

    @Test
    @DisplayName("docs, scaling policies: 4 pods or 10 % per 60 s, selectPolicy Max, from 80 pods")
    void shouldScaleDownByTheLargerOfFourPodsAndTenPercentPerMinute() {
        ScalingRules down = new ScalingRules(Duration.ZERO, ScalingRules.Select.MAX, List.of(
                ScalingPolicy.pods(4, Duration.ofSeconds(60)), ScalingPolicy.percent(10, Duration.ofSeconds(60))));
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 100).withBehavior(new Behavior(ScalingRules.defaultScaleUp(), down)));

        int replicas = 80;
        StringBuilder perMinute = new StringBuilder();
        for (int t = 0; t <= 600; t += 15) {
            Recommendation rec = hpa.recommend(at(t), replicas, Pod.numbered(replicas, replicas), List.of(value(10, replicas)));
            replicas = rec.replicas();
            if (t % 60 == 0) {
                perMinute.append(replicas).append(' ');
            }
        }

        // 10 % of 80 is 8; of 72, 7.2 rounds to 8 removed; below 40 pods the 4-pod policy removes more
        assertThat(perMinute.toString().trim()).isEqualTo("72 64 57 51 45 40 36 32 28 24 20");
    }

    @Test
    @DisplayName("docs, scaling policies: between two steps the policy period holds the count")
    void shouldReportTheScaleDownLimitWithinAPeriod() {
        ScalingRules down = new ScalingRules(Duration.ZERO, ScalingRules.Select.MAX, List.of(
                ScalingPolicy.pods(4, Duration.ofSeconds(60)), ScalingPolicy.percent(10, Duration.ofSeconds(60))));
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 100).withBehavior(new Behavior(ScalingRules.defaultScaleUp(), down)));
        hpa.recommend(T0, 80, Pod.numbered(80, 80), List.of(value(10, 80)));

        Recommendation held = hpa.recommend(at(15), 72, Pod.numbered(72, 72), List.of(value(10, 72)));

        assertThat(held.replicas()).isEqualTo(72);
        assertThat(held.reason()).isEqualTo("ScaleDownLimit");
    }

    @Test
    @DisplayName("docs, default behavior: scale-down of 100 % per 15 s reaches minReplicas in one step")
    void shouldScaleDownAllTheWayOnceTheWindowHasPassed() {
        Autoscaler hpa = new Autoscaler(HpaSettings.of(2, 20).withBehavior(defaultBehavior()));
        hpa.recommend(T0, 10, Pod.numbered(10, 10), List.of(value(1, 10)));

        Recommendation insideWindow = hpa.recommend(at(285), 10, Pod.numbered(10, 10), List.of(value(1, 10)));
        Recommendation afterWindow = hpa.recommend(at(300), 10, Pod.numbered(10, 10), List.of(value(1, 10)));

        assertThat(insideWindow.replicas()).isEqualTo(10);
        assertThat(insideWindow.reason()).isEqualTo("ScaleDownStabilized");
        // the proposal of 1 is below minReplicas: 2, not 1
        assertThat(afterWindow.replicas()).isEqualTo(2);
        assertThat(afterWindow.reason()).isEqualTo("TooFewReplicas");
    }

    @Test
    @DisplayName("docs, stabilization window: the highest recommendation of the last 300 s applies")
    void shouldApplyTheHighestRecentRecommendation() {
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 20).withBehavior(defaultBehavior()));
        int replicas = 4;
        replicas = hpa.recommend(T0, replicas, Pod.numbered(replicas, replicas), List.of(value(8, 4))).replicas();
        // a dip: proposals 6 and 3, both below the recent 8
        int afterDip1 = hpa.recommend(at(15), replicas, Pod.numbered(replicas, replicas), List.of(value(6, 8))).replicas();
        int afterDip2 = hpa.recommend(at(30), afterDip1, Pod.numbered(afterDip1, afterDip1), List.of(value(3, 8))).replicas();
        int afterWindow = hpa.recommend(at(315), afterDip2, Pod.numbered(afterDip2, afterDip2), List.of(value(3, 8))).replicas();

        assertThat(replicas).isEqualTo(8);
        assertThat(afterDip1).isEqualTo(8);
        assertThat(afterDip2).isEqualTo(8);
        // at 315 s the 8 (0 s) and the 6 (15 s) have left the window; the 3 of 30 s is the highest left
        assertThat(afterWindow).isEqualTo(3);
    }

    @Test
    @DisplayName("docs, scale-up stabilization: scale up only to the lowest recommendation of the window")
    void shouldScaleUpOnlyToTheLowestRecentRecommendation() {
        ScalingRules up = new ScalingRules(Duration.ofSeconds(60), ScalingRules.Select.MAX, ScalingRules.defaultScaleUp().policies());
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 20).withBehavior(new Behavior(up, defaultBehavior().scaleDown())));
        hpa.recommend(T0, 4, Pod.numbered(4, 4), List.of(value(4, 4)));

        Recommendation spike = hpa.recommend(at(15), 4, Pod.numbered(4, 4), List.of(value(10, 4)));
        Recommendation sustained = hpa.recommend(at(75), 4, Pod.numbered(4, 4), List.of(value(10, 4)));

        assertThat(spike.replicas()).isEqualTo(4);
        assertThat(spike.reason()).isEqualTo("ScaleUpStabilized");
        // at 75 s only the 10s of 15 s and 75 s are newer than 60 s
        assertThat(sustained.replicas()).isEqualTo(8);
        assertThat(sustained.reason()).isEqualTo("ScaleUpLimit");
    }

    @Test
    @DisplayName("docs, disable scale down: selectPolicy Disabled")
    void shouldNeverScaleDownWhenDisabled() {
        ScalingRules down = new ScalingRules(Duration.ZERO, ScalingRules.Select.DISABLED, defaultBehavior().scaleDown().policies());
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 20).withBehavior(new Behavior(ScalingRules.defaultScaleUp(), down)));

        Recommendation rec = hpa.recommend(T0, 10, Pod.numbered(10, 10), List.of(value(1, 10)));

        assertThat(rec.replicas()).isEqualTo(10);
        assertThat(rec.reason()).isEqualTo("ScaleDownLimit");
    }

    @Test
    @DisplayName("TestScalingWithRules 'scaleUp with percent policy limitation', selectPolicy Min")
    void shouldTakeThePolicyAllowingTheSmallestChangeWithMin() {
        ScalingRules up = new ScalingRules(Duration.ZERO, ScalingRules.Select.MIN, List.of(
                ScalingPolicy.pods(4, Duration.ofSeconds(60)), ScalingPolicy.percent(200, Duration.ofSeconds(60))));
        Autoscaler hpa = new Autoscaler(HpaSettings.of(1, 100).withBehavior(new Behavior(up, defaultBehavior().scaleDown())));

        Recommendation rec = hpa.recommend(T0, 10, Pod.numbered(10, 10), List.of(value(50, 10)));

        assertThat(rec.replicas()).isEqualTo(14);
    }

    private static Behavior defaultBehavior() {
        return new Behavior(ScalingRules.defaultScaleUp(), ScalingRules.defaultScaleDown(HpaSettings.DEFAULT_DOWNSCALE_STABILIZATION));
    }

    /** An external Value metric proposing {@code ceil(ready x value / target)}. */
    private static MetricSample value(double value, double target) {
        return new MetricSample.ExternalValue("qps", value, target);
    }

    private static MetricSample perPod(double... values) {
        Map<String, Double> byPod = new java.util.HashMap<>();
        for (int i = 0; i < values.length; i++) {
            byPod.put("pod-" + i, values[i]);
        }
        return new MetricSample.PodsAverageValue("qps", byPod, 0.1);
    }

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }
}
