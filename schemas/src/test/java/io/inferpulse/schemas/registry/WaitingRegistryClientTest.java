package io.inferpulse.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class WaitingRegistryClientTest {
    private static final Schema SCHEMA = SchemaBuilder.record("Sample").fields().requiredString("name").endRecord();

    /** Fails its first {@code failures} lookups with the given status (-1: no answer), then answers. */
    private static final class FlakyRegistry implements SchemaRegistryClient {
        private final int failures;
        private final int status;
        private final AtomicInteger calls = new AtomicInteger();
        private volatile boolean closed;

        FlakyRegistry(int failures, int status) {
            this.failures = failures;
            this.status = status;
        }

        @Override
        public int register(String subject, Schema schema) {
            return answer(() -> 7);
        }

        @Override
        public RegisteredSchema lookup(String subject, Schema schema) {
            return answer(() -> new RegisteredSchema(subject, 1, 7));
        }

        @Override
        public Schema schemaById(int id) {
            return answer(() -> SCHEMA);
        }

        private <T> T answer(java.util.function.Supplier<T> value) {
            if (calls.incrementAndGet() <= failures) {
                throw status < 0
                        ? new SchemaRegistryException("Could not reach the schema registry: Connection refused", null)
                        : new SchemaRegistryException(status, status == 404 ? 40403 : 50001, "HTTP " + status);
            }
            return value.get();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void shouldWaitOutAnOutageAndNameItWhileWaiting() throws Exception {
        FlakyRegistry flaky = new FlakyRegistry(4, -1);
        try (WaitingRegistryClient client = new WaitingRegistryClient(flaky, Duration.ofMinutes(1))) {
            CompletableFuture<Schema> lookup = CompletableFuture.supplyAsync(() -> client.schemaById(7));

            await().atMost(Duration.ofSeconds(5)).until(() -> client.outage().isPresent());
            assertThat(client.outage().orElseThrow()).contains("schema registry unreachable since").contains("Connection refused");
            assertThat(lookup.get()).isEqualTo(SCHEMA);
            assertThat(flaky.calls).hasValue(5);
            assertThat(client.outage()).isEmpty();
        }
    }

    @Test
    void shouldWaitOnServerErrorsToo() {
        try (WaitingRegistryClient client = new WaitingRegistryClient(new FlakyRegistry(2, 503), Duration.ofMinutes(1))) {
            assertThat(client.register("t-value", SCHEMA)).isEqualTo(7);
        }
    }

    @Test
    void shouldFailAtOnceWhenTheRegistryRejectsTheCall() {
        FlakyRegistry unknownId = new FlakyRegistry(1, 404);
        try (WaitingRegistryClient client = new WaitingRegistryClient(unknownId, Duration.ofMinutes(1))) {
            assertThatThrownBy(() -> client.schemaById(99))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isRetriable()).isFalse());
            assertThat(unknownId.calls).hasValue(1);
            assertThat(client.outage()).isEmpty();
        }
    }

    @Test
    void shouldGiveUpAsTransientWhenPatienceRunsOutAndKeepNamingTheOutage() {
        try (WaitingRegistryClient client = new WaitingRegistryClient(new FlakyRegistry(1000, -1), Duration.ofMillis(600))) {
            assertThatThrownBy(() -> client.lookup("t-value", SCHEMA))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isRetriable()).isTrue());
            assertThat(client.outage()).isPresent();
        }
    }

    @Test
    void shouldEndAWaitWhenClosed() throws Exception {
        FlakyRegistry down = new FlakyRegistry(Integer.MAX_VALUE, -1);
        WaitingRegistryClient client = new WaitingRegistryClient(down, WaitingRegistryClient.UNTIL_CLOSED);
        CompletableFuture<Schema> lookup = CompletableFuture.supplyAsync(() -> client.schemaById(7));
        await().atMost(Duration.ofSeconds(5)).until(() -> client.outage().isPresent());

        client.close();

        assertThat(lookup).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(SchemaRegistryException.class);
        assertThat(down.closed).isTrue();
    }
}
