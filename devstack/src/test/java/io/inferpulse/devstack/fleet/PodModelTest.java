package io.inferpulse.devstack.fleet;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PodModelTest {

    private static final long STEP_NANOS = 10_000_000;

    /** 1024 tokens of cache, the same as max_model_len, decoding 50 tokens/s with no batch slowdown. */
    private static final FleetConfig.Pod SMALL_CACHE = new FleetConfig.Pod(8, 100, 64, 16, 1024, 4, 10_000, 50, 0);

    @Test
    void aCacheThatFillsUpPreemptsTheNewestRequestAndBothStillFinish() {
        // given two requests that fit the cache when admitted but outgrow it while decoding
        PodModel pod = new PodModel("default", "pool-0", "pool-0-abcde", "llama3-8b", SMALL_CACHE, 0);
        InferenceRequest first = request(0);
        InferenceRequest second = request(1);
        pod.enqueue(first);
        pod.enqueue(second);
        List<PodModel.Completion> completions = new ArrayList<>();
        List<PodState> history = new ArrayList<>();

        // when
        for (long now = STEP_NANOS; now <= 60_000_000_000L && completions.size() < 2; now += STEP_NANOS) {
            pod.step(now, STEP_NANOS / 1e9, completions::add);
            history.add(pod.state());
        }

        // then the newer one waited while the older one finished, and neither overflowed the cache
        assertThat(history).allSatisfy(state -> assertThat(state.kvCacheUsage()).isBetween(0.0, 1.0));
        assertThat(history).anySatisfy(state -> {
            assertThat(state.running()).isEqualTo(1);
            assertThat(state.waiting()).isEqualTo(1);
        });
        assertThat(completions).extracting(PodModel.Completion::request).containsExactly(first, second);
        pod.publish(0);
        assertThat(pod.published().preemptions()).isEqualTo(1);
        assertThat(pod.published().finishedStop()).isEqualTo(2);
        assertThat(pod.published().generationTokens()).isEqualTo(2 * 600);
        assertThat(pod.published().promptTokens()).isEqualTo(2 * 400);
    }

    @Test
    void finishedRequestsAreCountedInTheLatencyHistograms() {
        // given
        PodModel pod = new PodModel("default", "pool-0", "pool-0-abcde", "llama3-8b", FleetFixtures.pod(64, 100), 0);
        pod.enqueue(new InferenceRequest("llama3-8b", null, 1000, 10, true, 0, "203.0.113.1", "curl/8.5.0"));
        List<PodModel.Completion> completions = new ArrayList<>();

        // when
        for (long now = STEP_NANOS; completions.isEmpty(); now += STEP_NANOS) {
            pod.step(now, STEP_NANOS / 1e9, completions::add);
        }
        pod.publish(0);

        // then a 0.1 s prefill and 9 more tokens at 50 tokens/s took about 0.3 s
        PodSnapshot snapshot = pod.published();
        assertThat(snapshot.finishedLength()).isEqualTo(1);
        assertThat(snapshot.timeToFirstToken().count()).isEqualTo(1);
        assertThat(snapshot.timeToFirstToken().sum()).isBetween(0.1, 0.13);
        assertThat(snapshot.e2eLatency().count()).isEqualTo(1);
        assertThat(snapshot.e2eLatency().sum()).isBetween(0.28, 0.32);
        assertThat(completions.getFirst().finishNanos() / 1e9).isEqualTo(snapshot.e2eLatency().sum());
    }

    private static InferenceRequest request(long arrivalNanos) {
        return new InferenceRequest("llama3-8b", null, 400, 600, false, arrivalNanos, "203.0.113.1", "curl/8.5.0");
    }
}
