package io.inferpulse.routerfeed.epp;

import io.inferpulse.routerfeed.pick.PickerSettings;
import io.inferpulse.routerfeed.pick.ScorePicker;
import io.inferpulse.routerfeed.policy.PolicySource;
import io.inferpulse.routerfeed.table.EndpointTable;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The picker as a service, what {@code inferpulse picker} runs: the endpoint table reading the
 * endpoint-scores topic, the score picker over it, and the Endpoint Picker Protocol server answering
 * a gateway for one InferencePool. gRPC health is SERVING once the table has caught up.
 */
public final class PickerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PickerService.class);

    private final EndpointTable table;
    private final PolicySource policies;
    private final EppServer server;

    private PickerService(EndpointTable table, PolicySource policies, EppServer server) {
        this.table = table;
        this.policies = policies;
        this.server = server;
    }

    /**
     * Creates the endpoint-scores topic if it is missing (compacted), opens the backend policies (a file,
     * or the cluster's GCPBackendPolicy resources through {@code kubernetes}, asked only then), starts
     * reading the topic and starts serving.
     */
    public static PickerService start(EppSettings settings, PickerSettings picking, Supplier<KubernetesClient> kubernetes,
                                      MeterRegistry meters, HealthChecks health) {
        TopicSetup.ensure(settings.kafka(), Topics.specs(Topics.ENDPOINT_SCORES));
        PolicySource policies = picking.openPolicies(kubernetes, meters);
        EndpointTable table;
        try {
            table = EndpointTable.start(settings.kafka(), settings.clientId(), meters, health);
        } catch (RuntimeException e) {
            policies.close();
            throw e;
        }
        try {
            ScorePicker picker = ScorePicker.following(table, picking, policies, Clock.systemUTC());
            LOG.info("Picking for {} with {}, {} fallback(s)", settings.pool().key(), picking.strategy(), picking.fallbacks());
            return new PickerService(table, policies, EppServer.start(settings, picker, table::ready, meters));
        } catch (IOException e) {
            closeTable(table);
            policies.close();
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (RuntimeException e) {
            closeTable(table);
            policies.close();
            throw e;
        }
    }

    /** The ext_proc port (the one bound when 0 was asked for). */
    public int port() {
        return server.port();
    }

    public int healthPort() {
        return server.healthPort();
    }

    /** Drains the server first, so that streams still open are answered from a table that is still read. */
    @Override
    public void close() {
        server.close();
        closeTable(table);
        policies.close();
    }

    private static void closeTable(EndpointTable table) {
        try {
            table.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while closing the endpoint table");
        }
    }
}
