package io.inferpulse.runtime.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Kafka cluster answers, for readiness. Kafka's clients ride out a broker outage by
 * themselves (they retry, and the services keep what they were given), so nothing fails while the
 * broker is away: without this check a paused service would look ready. Asks for the cluster's
 * nodes every few seconds on its own thread, so a probe never waits on the network.
 */
public final class BrokerReachability implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerReachability.class);
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    private final String bootstrapServers;
    private final Clock clock;
    private final ScheduledExecutorService schedule;
    private volatile Optional<String> problem = Optional.empty();
    private volatile Instant unreachableSince;
    private volatile long answeredMs;

    private BrokerReachability(Admin admin, String bootstrapServers, Clock clock) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.clock = clock;
        this.schedule = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("broker-reachability").daemon().factory());
    }

    /** Starts checking the cluster of these settings. */
    public static BrokerReachability watch(KafkaSettings kafka, String clientId) {
        Map<String, Object> config = kafka.clientConfig(clientId + "-reachability");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        // The producer and consumer settings passed through for the services mean nothing to an admin client.
        config.keySet().retainAll(AdminClientConfig.configNames());
        BrokerReachability check = new BrokerReachability(Admin.create(config), kafka.bootstrapServers(), Clock.systemUTC());
        check.schedule.scheduleWithFixedDelay(check::check, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return check;
    }

    /** Why the cluster cannot be used now; empty while it answers. */
    public Optional<String> problem() {
        return problem;
    }

    /** The wall-clock time the cluster last answered; 0 before it ever did. */
    public long answeredMs() {
        return answeredMs;
    }

    private void check() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .nodes().get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            answeredMs = clock.millis();
            if (unreachableSince != null) {
                LOG.info("Kafka at {} answers again after {} ms", bootstrapServers,
                        Duration.between(unreachableSince, clock.instant()).toMillis());
                unreachableSince = null;
            }
            problem = Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            if (unreachableSince == null) {
                unreachableSince = clock.instant();
                LOG.warn("Kafka at {} does not answer; the service pauses until it does: {}", bootstrapServers,
                        e.getCause() != null ? e.getCause().toString() : e.toString());
            }
            problem = Optional.of("Kafka at " + bootstrapServers + " unreachable since " + unreachableSince + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : "no answer in " + TIMEOUT.toSeconds() + " s"));
        }
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
