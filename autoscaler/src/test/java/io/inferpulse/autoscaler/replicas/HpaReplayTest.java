package io.inferpulse.autoscaler.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.autoscaler.replicas.HpaReplay.TargetType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replicas and reasons at each 15 s sync for the runs {@code what-if} and the demo make: a series
 * without behavior, a behavior that limits scale-down, a ready count below the current one, and the
 * demo's KV-cache target with a sync at which the metrics API has no value.
 */
class HpaReplayTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final OptionalDouble NO_VALUE = OptionalDouble.empty();

    /** One sync's input; a negative {@code ready} means every pod is ready. */
    record Sync(OptionalDouble value, int ready) {
        static Sync of(double value) {
            return new Sync(OptionalDouble.of(value), -1);
        }

        static Sync withReady(double value, int ready) {
            return new Sync(OptionalDouble.of(value), ready);
        }

        static Sync unavailable() {
            return new Sync(NO_VALUE, -1);
        }
    }

    record Case(String name, HpaSettings settings, TargetType type, double target, int initialReplicas, List<Sync> syncs,
            List<Integer> replicas, List<String> reasons) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        Behavior scaleDownTwoPodsAtOnce = new Behavior(ScalingRules.defaultScaleUp(), new ScalingRules(Duration.ZERO,
                ScalingRules.Select.MAX, List.of(ScalingPolicy.pods(2, Duration.ofSeconds(15)))));
        Behavior demo = new Behavior(ScalingRules.defaultScaleUp(), ScalingRules.defaultScaleDown(Duration.ofSeconds(60)));
        return Stream.of(
                // ceil(2 x 20 / 10) = 4, then 16 held to double, then 32 held to max; the drop to 5 is stabilized
                new Case("what-if without behavior", HpaSettings.of(1, 10), TargetType.VALUE, 10, 2,
                        List.of(Sync.of(20), Sync.of(40), Sync.of(40), Sync.of(5)),
                        List.of(4, 8, 10, 10),
                        List.of("SucceededRescale", "ScaleUpLimit", "TooManyReplicas", "TooManyReplicas")),
                // AverageValue: 10 / 1 matches 10 pods; 1 / 1 asks for 1, the policy allows 2 fewer per 15 s
                new Case("what-if with a scale-down policy", HpaSettings.of(1, 10).withBehavior(scaleDownTwoPodsAtOnce),
                        TargetType.AVERAGE_VALUE, 1, 10,
                        List.of(Sync.of(10), Sync.of(1)),
                        List.of(10, 8),
                        List.of("ReadyForNewScale", "ScaleDownLimit")),
                // one ready pod of 2 at twice the target asks for ceil(1 x 20 / 10) = 2; a ready count above the
                // current one is capped at it, so 2 x 20 / 10 = 4
                new Case("what-if with a ready column", HpaSettings.of(1, 10), TargetType.VALUE, 10, 2,
                        List.of(Sync.withReady(20, 1), Sync.withReady(20, 5)),
                        List.of(2, 4),
                        List.of("ReadyForNewScale", "SucceededRescale")),
                // the demo: ceil(4 x 0.98 / 0.8) = 5; no value keeps 5; ceil(5 x 0.2 / 0.8) = 2 is held at 5 while the
                // first sync's 5 is inside the 60 s window, then limited to minReplicas
                new Case("demo on KV-cache use", HpaSettings.of(4, 8).withBehavior(demo), TargetType.VALUE, 0.8, 4,
                        List.of(Sync.of(0.98), Sync.unavailable(), Sync.of(0.2), Sync.of(0.2), Sync.of(0.2)),
                        List.of(5, 5, 5, 5, 4),
                        List.of("SucceededRescale", "FailedComputeMetricsReplicas", "ScaleDownStabilized",
                                "ScaleDownStabilized", "TooFewReplicas")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldReplayReplicasSyncBySync(Case run) {
        // given a target at its initial count
        HpaReplay replay = new HpaReplay(run.settings(), "metric", run.type(), run.target(), run.initialReplicas());
        assertThat(replay.replicas()).isEqualTo(run.initialReplicas());

        // when every sync of the series is replayed 15 s apart
        List<Integer> replicas = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < run.syncs().size(); i++) {
            Sync sync = run.syncs().get(i);
            Recommendation decision = replay.sync(T0.plusSeconds(15L * i), sync.value(),
                    sync.ready() < 0 ? OptionalInt.empty() : OptionalInt.of(sync.ready()));
            replicas.add(decision.replicas());
            reasons.add(decision.reason());
        }

        // then each decision was applied before the next sync
        assertThat(replicas).isEqualTo(run.replicas());
        assertThat(reasons).isEqualTo(run.reasons());
        assertThat(replay.replicas()).isEqualTo(run.replicas().getLast());
    }
}
