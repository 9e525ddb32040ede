package io.inferpulse.routerfeed.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.EndpointHealth;
import io.inferpulse.avro.EndpointScore;
import io.inferpulse.routerfeed.ScoresStack;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The endpoint table against a real KRaft broker and the dev schema registry. Each test uses its own cluster name. */
class EndpointTableIT {
    private static final Instant SAMPLED = Instant.parse("2026-01-01T00:00:00Z");

    private static ScoresStack stack;
    private static KafkaProducer<String, EndpointScore> producer;
    private static KafkaProducer<String, byte[]> rawProducer;
    private static TopicTail<String, DeadLetter> deadLetterTail;
    private static final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

    /** What the topic says per key, tombstones as null: the state a table must converge to. */
    private final Map<String, EndpointScore> latest = new HashMap<>();

    @BeforeAll
    static void startStack() {
        stack = ScoresStack.start();
        Topics topics = stack.topics();
        Topic<String, EndpointScore> scores = topics.endpointScores();
        producer = new KafkaProducer<>(kafka().clientConfig("it-scores"), scores.keySerde().serializer(), scores.valueSerde().serializer());
        rawProducer = new KafkaProducer<>(kafka().clientConfig("it-raw"), new StringSerializer(), new ByteArraySerializer());
        deadLetterTail = TopicTail.start(kafka().clientConfig("it-dead-letters"), topics.deadLetter(), TopicTail.From.BEGINNING,
                r -> deadLetters.add(r.value()));
    }

    @AfterAll
    static void stopStack() throws Exception {
        deadLetterTail.close();
        rawProducer.close();
        producer.close();
        stack.close();
    }

    private static KafkaSettings kafka() {
        return stack.kafka();
    }

    private static EndpointScore score(String cluster, String pool, String pod, double score, EndpointHealth health) {
        return EndpointScore.newBuilder()
                .setCluster(cluster).setNamespace("ns").setPool(pool).setPod(pod)
                .setAddress("10.1.0." + pod.substring(pod.lastIndexOf('-') + 1) + ":8000")
                .setScore(score).setParts(Map.of("queue", score, "kv-cache", 1 - score)).setHealth(health)
                .setClusterLabels(Map.of("gke.io/cluster-name", cluster, "gke.io/zone", "europe-west4-a"))
                .setLoraAdapters(List.of("sql-lora"))
                .setSampleTime(SAMPLED).setExpiresAt(SAMPLED.plusSeconds(2))
                .build();
    }

    private static String key(EndpointScore s) {
        return s.getCluster() + "/" + s.getNamespace() + "/" + s.getPod() + ":8000";
    }

    private void update(EndpointScore s) {
        latest.put(key(s), s);
        producer.send(new ProducerRecord<>(Topics.ENDPOINT_SCORES, key(s), s));
    }

    private void tombstone(String key) {
        latest.put(key, null);
        producer.send(new ProducerRecord<>(Topics.ENDPOINT_SCORES, key, null));
    }

    /** The pools the latest values per key make, built independently of the table's own state. */
    private Map<String, PoolSnapshot> expectedPools() {
        Map<String, List<Endpoint>> byPool = latest.entrySet().stream()
                .filter(e -> e.getValue() != null)
                .map(e -> Endpoint.from(e.getKey(), e.getValue()))
                .collect(Collectors.groupingBy(Endpoint::poolKey, TreeMap::new, Collectors.toList()));
        Map<String, PoolSnapshot> pools = new HashMap<>();
        byPool.forEach((pool, endpoints) -> pools.put(pool, new PoolSnapshot(pool,
                endpoints.stream().sorted(Comparator.comparing(Endpoint::key)).toList())));
        return pools;
    }

    /** The table's pools of one test's cluster: the topic is shared by the tests of this class. */
    private static Map<String, PoolSnapshot> poolsOf(EndpointTable table, String cluster) {
        return table.pools().entrySet().stream().filter(e -> e.getKey().startsWith(cluster + "/"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    @Test
    void shouldHoldTheLatestStateOfEveryKeyAsUpdatesAndTombstonesArrive() throws Exception {
        String cluster = "live";
        try (EndpointTable table = EndpointTable.start(kafka(), "it-live", new SimpleMeterRegistry(), new HealthChecks())) {
            await().atMost(Duration.ofSeconds(30)).until(table::ready);

            update(score(cluster, "pool-a", "pod-1", 0.1, EndpointHealth.HEALTHY));
            update(score(cluster, "pool-a", "pod-2", 0.2, EndpointHealth.HEALTHY));
            update(score(cluster, "pool-b", "pod-3", 0.3, EndpointHealth.STALE));
            update(score(cluster, "pool-a", "pod-1", 0.7, EndpointHealth.FAILING));
            tombstone(cluster + "/ns/pod-2:8000");
            tombstone(cluster + "/ns/pod-3:8000");
            update(score(cluster, "pool-c", "pod-4", 0.4, EndpointHealth.HEALTHY));
            producer.flush();

            Map<String, PoolSnapshot> expected = expectedPools();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(poolsOf(table, cluster)).isEqualTo(expected));
            assertThat(expected).containsOnlyKeys(cluster + "/ns/pool-a", cluster + "/ns/pool-c");
            assertThat(table.snapshot(cluster + "/ns/pool-a").endpoints()).singleElement()
                    .satisfies(e -> {
                        assertThat(e.score()).isEqualTo(0.7);
                        assertThat(e.health()).isEqualTo(Endpoint.Health.FAILING);
                    });
            assertThat(table.snapshot(cluster + "/ns/pool-b").isEmpty()).isTrue();
        }
    }

    @Test
    void shouldHandEveryNewSnapshotToItsListenersBeforeReadersSeeIt() throws Exception {
        String cluster = "prepared";
        try (EndpointTable table = EndpointTable.start(kafka(), "it-prepared", new SimpleMeterRegistry(), new HealthChecks())) {
            List<PoolSnapshot> handed = new CopyOnWriteArrayList<>();
            List<String> seenTooEarly = new CopyOnWriteArrayList<>();
            table.beforePublishing(snapshot -> {
                if (snapshot.poolKey().startsWith(cluster + "/")) {
                    handed.add(snapshot);
                    if (table.snapshot(snapshot.poolKey()) == snapshot) {
                        seenTooEarly.add(snapshot.toString());
                    }
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(table::ready);

            for (int round = 0; round < 20; round++) {
                update(score(cluster, "pool-a", "pod-1", round / 20.0, EndpointHealth.HEALTHY));
                update(score(cluster, "pool-b", "pod-2", round / 40.0, EndpointHealth.HEALTHY));
                producer.flush();
            }
            tombstone(cluster + "/ns/pod-2:8000");
            producer.flush();

            Map<String, PoolSnapshot> expected = expectedPools();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(poolsOf(table, cluster)).isEqualTo(expected));
            // the snapshot readers get is the very instance the listener was handed, and none was visible before
            PoolSnapshot poolA = table.snapshot(cluster + "/ns/pool-a");
            assertThat(handed).anySatisfy(h -> assertThat(h).isSameAs(poolA));
            assertThat(handed).extracting(PoolSnapshot::poolKey).contains(cluster + "/ns/pool-b");
            assertThat(seenTooEarly).isEmpty();
        }
    }

    @Test
    void shouldNotBeReadyUntilANewInstanceHasCaughtUpFromTheBeginning() throws Exception {
        String cluster = "catch-up";
        for (int round = 0; round < 40; round++) {
            for (int pod = 0; pod < 500; pod++) {
                String pool = "pool-" + pod % 7;
                if ((pod + round) % 11 == 0) {
                    tombstone(cluster + "/ns/pod-" + pod + ":8000");
                } else {
                    update(score(cluster, pool, "pod-" + pod, (round * 500 + pod) / 20_000.0, EndpointHealth.HEALTHY));
                }
            }
        }
        producer.flush();
        Map<String, PoolSnapshot> expected = expectedPools();

        HealthChecks health = new HealthChecks();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (EndpointTable table = EndpointTable.start(kafka(), "it-catch-up", meters, health)) {
            assertThat(table.ready()).isFalse();
            assertThat(health.ready()).filteredOn(o -> o.name().equals("endpoint-table")).singleElement()
                    .satisfies(o -> assertThat(o.ok()).isFalse());

            await().atMost(Duration.ofSeconds(60)).until(table::ready);

            // No await here: the moment the table says ready, the whole table must already be there.
            assertThat(poolsOf(table, cluster)).isEqualTo(expected);
            assertThat(health.ready()).allMatch(HealthChecks.Outcome::ok);
            assertThat(meters.get("inferpulse_router_feed_records_applied").counter().count()).isGreaterThanOrEqualTo(
                    latest.values().stream().filter(v -> v != null).count());
            assertThat(meters.get("inferpulse_router_feed_tombstones").counter().count()).isPositive();
            assertThat(meters.get("inferpulse_router_feed_lag_records").gauge().value()).isZero();
        }
    }

    @Test
    void shouldDeadLetterARecordThatIsNotAnEndpointScoreAndKeepReading() throws Exception {
        String cluster = "garbage";
        try (EndpointTable table = EndpointTable.start(kafka(), "it-garbage", new SimpleMeterRegistry(), new HealthChecks())) {
            await().atMost(Duration.ofSeconds(30)).until(table::ready);

            byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
            rawProducer.send(new ProducerRecord<>(Topics.ENDPOINT_SCORES, cluster + "/ns/pod-1:8000", garbage)).get(10, TimeUnit.SECONDS);
            update(score(cluster, "pool-a", "pod-2", 0.5, EndpointHealth.HEALTHY));
            producer.flush();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetters)
                    .filteredOn(d -> cluster.concat("/ns/pod-1:8000").equals(d.getAttributes().get("key")))
                    .singleElement()
                    .satisfies(d -> {
                        assertThat(d.getSource()).isEqualTo(Topics.ENDPOINT_SCORES);
                        assertThat(d.getStage()).isEqualTo("router-feed.decode");
                        assertThat(d.getReason()).startsWith("not an EndpointScore");
                        assertThat(d.getRaw()).isEqualTo(ByteBuffer.wrap(garbage));
                    }));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(poolsOf(table, cluster)).isEqualTo(expectedPools()));
            assertThat(table.ready()).isTrue();
        }
    }
}
