package io.inferpulse.streams.score;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each scorer on a pool of inputs, as the processor calls it: values 0..1 per endpoint, best 1. */
class ScorersTest {

    @Test
    void shouldNormaliseQueueAndRunningAcrossThePoolAndGiveAnUnreportedGaugeNothing() {
        List<ScoreInput> pool = List.of(gauges(2.0, 10.0), gauges(6.0, 30.0), gauges(null, null));

        assertThat(score(new QueueScorer(), pool)).containsExactly(1.0, 0.0, 0.0);
        assertThat(score(new RunningRequestsScorer(), pool)).containsExactly(1.0, 0.0, 0.0);
    }

    @Test
    void shouldGiveAFreeKvCacheItsFreeShare() {
        List<ScoreInput> pool = List.of(kv(0.0), kv(0.75), kv(null));

        assertThat(score(new KvCacheScorer(), pool)).containsExactly(1.0, 0.25, 0.0);
    }

    @Test
    void shouldScoreLoraHeadroomAndOneWithoutLoraInformation() {
        List<ScoreInput> pool = List.of(lora(4, 1), lora(4, 4), lora(2, 5), lora(0, 0));

        assertThat(score(new LoraScorer(), pool)).containsExactly(0.75, 0.0, 0.0, 1.0);
    }

    @Test
    void shouldScoreErrorRateOnlyFromTheMinimumCount() {
        List<ScoreInput> pool = List.of(requests(10, 3, 1.0), requests(9, 9, 1.0), requests(0, 0, 0));

        assertThat(score(new ErrorRateScorer(10), pool)).containsExactly(0.7, 1.0, 1.0);
    }

    @Test
    void shouldNormaliseMeanLatencyAndFavourAnEndpointWithoutRequests() {
        List<ScoreInput> pool = List.of(requests(4, 0, 2.0), requests(2, 0, 3.0), requests(1, 0, 0.5), requests(0, 0, 0));

        // means 0.5 s, 1.5 s and 0.5 s
        assertThat(score(new LatencyScorer(), pool)).containsExactly(1.0, 0.0, 1.0, 1.0);
    }

    private static double[] score(Scorer scorer, List<ScoreInput> pool) {
        double[] parts = new double[pool.size()];
        scorer.score(pool, parts);
        return parts;
    }

    private static ScoreInput gauges(Double waiting, Double running) {
        return new ScoreInput(waiting, running, 0.5, 0, 0, 0, 0, 0);
    }

    private static ScoreInput kv(Double kv) {
        return new ScoreInput(0.0, 0.0, kv, 0, 0, 0, 0, 0);
    }

    private static ScoreInput lora(int max, int adapters) {
        return new ScoreInput(0.0, 0.0, 0.5, max, adapters, 0, 0, 0);
    }

    private static ScoreInput requests(long count, long errors, double latencySum) {
        return new ScoreInput(0.0, 0.0, 0.5, 0, 0, count, errors, latencySum);
    }
}
