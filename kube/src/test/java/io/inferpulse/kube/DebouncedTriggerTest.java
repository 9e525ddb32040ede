package io.inferpulse.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DebouncedTriggerTest {

    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    private final AtomicInteger runs = new AtomicInteger();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void shouldRunOnceForABurstOfRequests() {
        // a delay far longer than the burst takes, so every request joins the first
        DebouncedTrigger trigger = new DebouncedTrigger(executor, Duration.ofMillis(500), runs::incrementAndGet);

        for (int i = 0; i < 100; i++) {
            trigger.request();
        }

        await().atMost(Duration.ofSeconds(5))
                .until(() -> executor.getCompletedTaskCount() == 1 && executor.getQueue().isEmpty());
        assertThat(runs).hasValue(1);
    }

    @Test
    void shouldRunAgainForARequestMadeWhileTheActionRuns() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DebouncedTrigger trigger = new DebouncedTrigger(executor, Duration.ofMillis(10), () -> {
            if (runs.incrementAndGet() == 1) {
                running.countDown();
                awaitUninterruptibly(release);
            }
        });
        trigger.request();
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

        // a change lands while the action is reading the state
        trigger.request();
        release.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 2);
    }

    @Test
    void shouldRunNothingOnceTheExecutorIsShutDown() {
        DebouncedTrigger trigger = new DebouncedTrigger(executor, Duration.ofMillis(10), runs::incrementAndGet);
        executor.shutdown();

        trigger.request();

        assertThat(executor.getQueue()).isEmpty();
        assertThat(runs).hasValue(0);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
