package io.inferpulse.app;

import java.util.ArrayDeque;
import java.util.Deque;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.runtime.ops.MeterRegistries;
import io.inferpulse.runtime.ops.OpsServer;
import io.inferpulse.runtime.ops.OpsSettings;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes what a command started, in reverse order, on SIGTERM or Ctrl-C, so that producers flush,
 * Kafka Streams commits and leaves its group, and servers release their ports.
 */
final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** What a service needs from its process: a place for its metrics and its health checks. */
    @FunctionalInterface
    interface ServiceStarter {
        AutoCloseable start(PrometheusMeterRegistry meters, HealthChecks health);
    }

    /**
     * Runs one service until SIGTERM: its /metrics, /healthz and /readyz server first, so probes
     * answer while it starts, then the service; closed in the reverse order.
     */
    static int serve(String service, OpsSettings ops, ServiceStarter starter) throws InterruptedException {
        Lifecycle life = new Lifecycle();
        PrometheusMeterRegistry meters = MeterRegistries.prometheus();
        Metrics.addRegistry(meters);
        HealthChecks health = new HealthChecks();
        // The service adds its own checks as it starts; until then /readyz must not answer 200.
        AtomicBoolean started = new AtomicBoolean();
        health.addReadiness("started", () -> started.get() ? Optional.empty() : Optional.of(service + " is starting"));
        life.add(OpsServer.start(service, ops.host(), ops.port(), meters, health));
        life.add(starter.start(meters, health));
        started.set(true);
        life.awaitShutdown();
        return 0;
    }

    /** Registers a resource to close at shutdown, after everything registered later. */
    synchronized <T extends AutoCloseable> T add(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Blocks until the process is asked to stop, then closes everything. */
    void awaitShutdown() throws InterruptedException {
        awaitShutdown(Optional.empty());
    }

    /** Blocks until the process is asked to stop or the time limit passes, then closes everything. */
    void awaitShutdown(Optional<Duration> limit) throws InterruptedException {
        Thread hook = Thread.ofPlatform().name("shutdown").unstarted(() -> {
            LOG.info("Shutting down");
            close();
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        boolean signalled = false;
        try {
            if (limit.isPresent()) {
                signalled = stopped.await(limit.get().toMillis(), TimeUnit.MILLISECONDS);
            } else {
                stopped.await();
                signalled = true;
            }
        } finally {
            // On the time limit or an interrupt of the waiting thread, close here: the hook will not run.
            if (!signalled) {
                Runtime.getRuntime().removeShutdownHook(hook);
                close();
            }
        }
    }

    synchronized void close() {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.error("Error while closing {}", r.getClass().getSimpleName(), e);
            }
        }
    }
}
