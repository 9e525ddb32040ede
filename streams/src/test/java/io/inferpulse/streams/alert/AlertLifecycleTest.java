package io.inferpulse.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AlertLifecycleTest {
    private static final long T0 = 1_750_000_000_000L - 1_750_000_000_000L % 15_000;
    private static final long STEP = 15_000;
    private static final String FP = "0123456789abcdef";
    private static final AlertTimings FIVE_MINUTES = timings(Duration.ofMinutes(5), Duration.ZERO);

    /** The rule's instances as the store holds them between evaluations. */
    private final Map<String, ActiveAlert> known = new HashMap<>();

    @Test
    void shouldBecomePendingAtTheFirstTrueEvaluation() {
        // when the condition holds for the first time
        AlertOutcome outcome = step(T0, FIVE_MINUTES, 60);

        // then the instance is pending from this instant, and the topic hears about it
        assertThat(outcome.emit()).isEqualTo(AlertOutcome.Emit.EVENT);
        assertThat(outcome.alert().status()).isEqualTo(AlertStatus.PENDING);
        assertThat(outcome.alert().activeAtMs()).isEqualTo(T0);
        assertThat(outcome.alert().startsAtMs()).isEqualTo(ActiveAlert.NEVER);
        assertThat(AlertLifecycle.endsAtMs(outcome.alert(), T0, FIVE_MINUTES)).isNull();
    }

    @Test
    void shouldFireExactlyWhenForHasElapsed() {
        step(T0, FIVE_MINUTES, 60);

        // when the condition keeps holding, with a changing value
        for (long ts = T0 + STEP; ts < T0 + 300_000; ts += STEP) {
            AlertOutcome outcome = step(ts, FIVE_MINUTES, 60 + (ts - T0) / STEP);
            // then it stays pending, silently, with the latest value
            assertThat(outcome.alert().status()).as("at +%d ms", ts - T0).isEqualTo(AlertStatus.PENDING);
            assertThat(outcome.emit()).isEqualTo(AlertOutcome.Emit.NOTHING);
            assertThat(outcome.alert().value()).isEqualTo(60 + (ts - T0) / STEP);
        }
        AlertOutcome fired = step(T0 + 300_000, FIVE_MINUTES, 61);

        // and fires at activeAt + for, exactly
        assertThat(fired.emit()).isEqualTo(AlertOutcome.Emit.EVENT);
        assertThat(fired.alert().status()).isEqualTo(AlertStatus.FIRING);
        assertThat(fired.alert().activeAtMs()).isEqualTo(T0);
        assertThat(fired.alert().startsAtMs()).isEqualTo(T0 + 300_000);
        // and claims to hold for four resend periods, so a receiver resolves it if we stop sending
        assertThat(AlertLifecycle.endsAtMs(fired.alert(), T0 + 300_000, FIVE_MINUTES)).isEqualTo(T0 + 300_000 + 240_000);
    }

    @Test
    void shouldStartFiringWhenForElapsedEvenIfThatEvaluationWasMissed() {
        // given an alert pending since T0
        step(T0, FIVE_MINUTES, 60);

        // when the evaluations around activeAt + for are missed (the job was restarted) and the next one finds it still true
        AlertOutcome fired = step(T0 + 300_000 + 3 * STEP, FIVE_MINUTES, 61);

        // then it fires now, with the startsAt the uninterrupted job would have sent
        assertThat(fired.emit()).isEqualTo(AlertOutcome.Emit.EVENT);
        assertThat(fired.alert().status()).isEqualTo(AlertStatus.FIRING);
        assertThat(fired.alert().startsAtMs()).isEqualTo(T0 + 300_000);
    }

    @Test
    void shouldFireAtOnceWhenForIsZero() {
        AlertOutcome outcome = step(T0, timings(Duration.ZERO, Duration.ZERO), 1);

        assertThat(outcome.alert().status()).isEqualTo(AlertStatus.FIRING);
        assertThat(outcome.alert().startsAtMs()).isEqualTo(T0);
        assertThat(outcome.emit()).isEqualTo(AlertOutcome.Emit.EVENT);
    }

    @Test
    void shouldDropAPendingAlertWithoutNoticeBeyondATombstone() {
        step(T0, FIVE_MINUTES, 60);

        // when the condition stops before for has elapsed
        AlertOutcome outcome = stepMissing(T0 + STEP, FIVE_MINUTES);

        // then the instance is forgotten; only its key is cleared on the topic
        assertThat(outcome.emit()).isEqualTo(AlertOutcome.Emit.TOMBSTONE);
        assertThat(outcome.alert()).isNull();
        assertThat(known).isEmpty();
    }

    @Test
    void shouldResolveAFiringAlertAtTheFirstEvaluationItIsMissing() {
        fire(FIVE_MINUTES);
        long ts = T0 + 300_000 + STEP;

        AlertOutcome outcome = stepMissing(ts, FIVE_MINUTES);

        assertThat(outcome.emit()).isEqualTo(AlertOutcome.Emit.EVENT);
        assertThat(outcome.alert().status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(outcome.alert().resolvedAtMs()).isEqualTo(ts);
        assertThat(outcome.alert().startsAtMs()).isEqualTo(T0 + 300_000);
        assertThat(AlertLifecycle.endsAtMs(outcome.alert(), ts, FIVE_MINUTES)).isEqualTo(ts);
    }

    @Test
    void shouldKeepFiringForKeepFiringForAfterTheConditionStops() {
        AlertTimings keep = timings(Duration.ofMinutes(5), Duration.ofSeconds(45));
        fire(keep);
        long missingFrom = T0 + 300_000 + STEP;

        // when the condition is missing for less than keep_firing_for, it still fires without a new event
        for (long ts = missingFrom; ts < missingFrom + 45_000; ts += STEP) {
            AlertOutcome outcome = stepMissing(ts, keep);
            assertThat(outcome.alert().status()).as("at +%d ms", ts - missingFrom).isEqualTo(AlertStatus.FIRING);
            assertThat(outcome.alert().keepFiringSinceMs()).isEqualTo(missingFrom);
            assertThat(outcome.emit()).isEqualTo(AlertOutcome.Emit.NOTHING);
        }
        // then it resolves once it has been missing for keep_firing_for
        AlertOutcome resolved = stepMissing(missingFrom + 45_000, keep);
        assertThat(resolved.alert().status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.alert().resolvedAtMs()).isEqualTo(missingFrom + 45_000);
        assertThat(resolved.emit()).isEqualTo(AlertOutcome.Emit.EVENT);
    }

    @Test
    void shouldRestartKeepFiringForWhenTheConditionReturns() {
        AlertTimings keep = timings(Duration.ofMinutes(5), Duration.ofSeconds(30));
        fire(keep);
        long ts = T0 + 300_000;
        stepMissing(ts += STEP, keep);

        // when the condition returns before keep_firing_for ran out, and then stops again
        AlertOutcome back = step(ts += STEP, keep, 70);
        assertThat(back.alert().keepFiringSinceMs()).isEqualTo(ActiveAlert.NEVER);
        AlertOutcome missingAgain = stepMissing(ts += STEP, keep);

        // then the keep_firing_for count starts again from the new absence
        assertThat(missingAgain.alert().status()).isEqualTo(AlertStatus.FIRING);
        assertThat(missingAgain.alert().keepFiringSinceMs()).isEqualTo(ts);
        assertThat(missingAgain.alert().startsAtMs()).isEqualTo(T0 + 300_000);
    }

    @Test
    void shouldResendAFiringAlertEveryResendDelay() {
        fire(FIVE_MINUTES);
        long firedAt = T0 + 300_000;

        // when it keeps firing for three more minutes, evaluated every 15 s
        List<Long> sentAt = new ArrayList<>();
        for (long ts = firedAt + STEP; ts <= firedAt + 180_000; ts += STEP) {
            AlertOutcome outcome = step(ts, FIVE_MINUTES, 60);
            if (outcome.emit() == AlertOutcome.Emit.EVENT) {
                sentAt.add(ts - firedAt);
                assertThat(outcome.alert().status()).isEqualTo(AlertStatus.FIRING);
                assertThat(outcome.alert().startsAtMs()).isEqualTo(firedAt);
            }
        }

        // then it is re-sent once the last send is one resend delay (1 m) old, and no more often
        assertThat(sentAt).containsExactly(60_000L, 120_000L, 180_000L);
    }

    @Test
    void shouldResendAResolvedAlertWhileRetainedThenForgetIt() {
        fire(FIVE_MINUTES);
        long resolvedAt = T0 + 300_000 + STEP;
        stepMissing(resolvedAt, FIVE_MINUTES);

        List<Long> sentAt = new ArrayList<>();
        AlertOutcome outcome = null;
        for (long ts = resolvedAt + STEP; ts <= resolvedAt + 15 * 60_000; ts += STEP) {
            outcome = stepMissing(ts, FIVE_MINUTES);
            assertThat(outcome.alert().status()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(outcome.alert().resolvedAtMs()).isEqualTo(resolvedAt);
            if (outcome.emit() == AlertOutcome.Emit.EVENT) {
                sentAt.add(ts - resolvedAt);
            }
        }
        // then the resolution is repeated every resend delay for the whole retention
        assertThat(sentAt).hasSize(15).first().isEqualTo(60_000L);

        // and one evaluation after the retention, the instance is forgotten and its key cleared
        AlertOutcome forgotten = stepMissing(resolvedAt + 15 * 60_000 + STEP, FIVE_MINUTES);
        assertThat(forgotten.emit()).isEqualTo(AlertOutcome.Emit.TOMBSTONE);
        assertThat(known).isEmpty();
    }

    @Test
    void shouldStartANewAlertWhenAResolvedOneComesBack() {
        fire(FIVE_MINUTES);
        long resolvedAt = T0 + 300_000 + STEP;
        stepMissing(resolvedAt, FIVE_MINUTES);

        // when the condition returns while the resolved instance is still retained
        long back = resolvedAt + 4 * STEP;
        AlertOutcome outcome = step(back, FIVE_MINUTES, 80);

        // then it is a new pending instance, not the old firing one
        assertThat(outcome.emit()).isEqualTo(AlertOutcome.Emit.EVENT);
        assertThat(outcome.alert().status()).isEqualTo(AlertStatus.PENDING);
        assertThat(outcome.alert().activeAtMs()).isEqualTo(back);
        assertThat(outcome.alert().startsAtMs()).isEqualTo(ActiveAlert.NEVER);
        assertThat(outcome.alert().resolvedAtMs()).isEqualTo(ActiveAlert.NEVER);
        // which needs the full for again before it fires
        assertThat(step(back + 300_000 - STEP, FIVE_MINUTES, 80).alert().status()).isEqualTo(AlertStatus.PENDING);
        assertThat(step(back + 300_000, FIVE_MINUTES, 80).alert().startsAtMs()).isEqualTo(back + 300_000);
    }

    @Test
    void shouldNeverFireOnNaN() {
        AlertTimings immediate = timings(Duration.ZERO, Duration.ZERO);

        // when the result holds NaN (no requests to judge)
        List<AlertOutcome> outcomes = AlertLifecycle.evaluate(T0, known, Map.of(FP, candidate(Double.NaN)), immediate);

        // then no instance appears, not even with for: 0
        assertThat(outcomes).isEmpty();
    }

    @Test
    void shouldResolveAFiringAlertWhoseValueTurnsNaN() {
        fire(FIVE_MINUTES);

        AlertOutcome outcome = step(T0 + 300_000 + STEP, FIVE_MINUTES, Double.NaN);

        assertThat(outcome.alert().status()).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void shouldTrackInstancesOfOneRuleIndependently() {
        String other = "fedcba9876543210";
        step(T0, FIVE_MINUTES, 60);

        // when a second series starts matching later and the first stops
        List<AlertOutcome> outcomes = AlertLifecycle.evaluate(T0 + STEP, known, Map.of(other, candidate(70)), FIVE_MINUTES);

        // then each has its own fate, reported in fingerprint order
        assertThat(outcomes).extracting(AlertOutcome::fingerprint).containsExactly(FP, other);
        assertThat(outcomes.get(0).emit()).isEqualTo(AlertOutcome.Emit.TOMBSTONE);
        assertThat(outcomes.get(1).alert().activeAtMs()).isEqualTo(T0 + STEP);
        assertThat(outcomes.get(1).alert().status()).isEqualTo(AlertStatus.PENDING);
    }

    private void fire(AlertTimings timings) {
        for (long ts = T0; ts <= T0 + timings.hold().toMillis(); ts += STEP) {
            step(ts, timings, 60);
        }
        assertThat(known.get(FP).status()).isEqualTo(AlertStatus.FIRING);
    }

    private AlertOutcome step(long ts, AlertTimings timings, double value) {
        return apply(AlertLifecycle.evaluate(ts, known, Map.of(FP, candidate(value)), timings));
    }

    private AlertOutcome stepMissing(long ts, AlertTimings timings) {
        return apply(AlertLifecycle.evaluate(ts, known, Map.of(), timings));
    }

    private AlertOutcome apply(List<AlertOutcome> outcomes) {
        assertThat(outcomes).hasSize(1);
        AlertOutcome outcome = outcomes.get(0);
        if (outcome.alert() == null) {
            known.remove(outcome.fingerprint());
        } else {
            known.put(outcome.fingerprint(), outcome.alert());
        }
        return outcome;
    }

    private static AlertCandidate candidate(double value) {
        return new AlertCandidate(new TreeMap<>(Map.of("alertname", "InferencePoolQueueHigh", "name", "llama")),
                Map.of("summary", "queue is " + value), value);
    }

    private static AlertTimings timings(Duration hold, Duration keepFiringFor) {
        return new AlertTimings(hold, keepFiringFor, Duration.ofMinutes(1), Duration.ofSeconds(15), Duration.ofMinutes(15));
    }
}
