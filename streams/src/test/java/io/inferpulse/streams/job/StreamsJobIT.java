package io.inferpulse.streams.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The skeleton every streams job runs on, on a real KRaft broker and dev schema registry: what
 * happens to a record a processor throws on, to a thread that keeps failing, and to valid records
 * read while the registry is away.
 */
class StreamsJobIT {
    private static final String IN = "it.job-in";
    private static final String OUT = "it.job-out";

    @TempDir
    Path stateDir;
    private EmbeddedKafkaBroker broker;
    private int registryPort;
    private DevSchemaRegistry registry;
    private KafkaSettings kafka;
    private Topics topics;
    private SchemaRegistryClient client;
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private final List<String> out = new CopyOnWriteArrayList<>();
    private TopicTail<String, DeadLetter> deadLetterTail;
    private TopicTail<String, String> outTail;

    @BeforeEach
    void startStack() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        registryPort = freePort();
        registry = startRegistry();
        kafka = KafkaSettings.local(broker.bootstrapServers(), registry.url().toString());
        TopicSetup.ensure(kafka, List.of(new Topics.Spec(IN, false, "-1"), new Topics.Spec(OUT, false, "-1"),
                Topics.SPECS.stream().filter(s -> s.name().equals(Topics.DEAD_LETTER)).findFirst().orElseThrow()));
        client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka.registryConfig()));
        topics = new Topics(new AvroSerdes(client));
        deadLetterTail = TopicTail.start(kafka.clientConfig("it-dlq"), topics.deadLetter(), TopicTail.From.BEGINNING,
                r -> deadLetters.add(r.value()));
        outTail = TopicTail.start(kafka.clientConfig("it-out"), new Topic<>(OUT, Serdes.String(), Serdes.String()),
                TopicTail.From.BEGINNING, r -> out.add(r.value()));
    }

    @AfterEach
    void stopStack() throws Exception {
        outTail.close();
        deadLetterTail.close();
        client.close();
        if (registry != null) {
            registry.close();
        }
        broker.close();
    }

    @Test
    void shouldDeadLetterTheRecordAProcessorThrowsOnAndGoOn() throws Exception {
        // given a job whose processor cannot handle one value
        Topology topology = new Topology();
        topology.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), IN);
        topology.addProcessor("upper", () -> new Processor<String, String, String, String>() {
            private ProcessorContext<String, String> context;

            @Override
            public void init(ProcessorContext<String, String> context) {
                this.context = context;
            }

            @Override
            public void process(Record<String, String> record) {
                if (record.value().equals("poison")) {
                    throw new IllegalArgumentException("cannot upper-case poison");
                }
                context.forward(record.withValue(record.value().toUpperCase()));
            }
        }, "in");
        topology.addSink("out", OUT, Serdes.String().serializer(), Serdes.String().serializer(), "upper");
        HealthChecks health = new HealthChecks();
        try (StreamsJob job = start("poison", topology, health)) {
            // when three records arrive, the second one poison
            send(IN, "a", "poison", "b");

            // then the others are processed, and the poison is dead-lettered once with the exception and where it was
            await().atMost(Duration.ofSeconds(60)).until(() -> out.size() == 2 && deadLetters.size() == 1);
            assertThat(out).containsExactly("A", "B");
            DeadLetter letter = deadLetters.getFirst();
            assertThat(letter.getSource()).isEqualTo(IN);
            assertThat(letter.getStage()).isEqualTo("streams.process");
            assertThat(letter.getReason()).isEqualTo("java.lang.IllegalArgumentException: cannot upper-case poison");
            assertThat(StandardCharsets.UTF_8.decode(letter.getRaw()).toString()).isEqualTo("poison");
            assertThat(letter.getAttributes()).containsEntry("processor", "upper").containsEntry("offset", "1");
            assertThat(job.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(health.live()).allMatch(HealthChecks.Outcome::ok);
        }
    }

    @Test
    void shouldStopAndFailLivenessWhenStreamThreadsKeepFailing() throws Exception {
        // given a job whose punctuation throws every time, which no dead letter can set aside
        Topology topology = new Topology();
        topology.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), IN);
        topology.addProcessor("tick", () -> new Processor<String, String, String, String>() {
            @Override
            public void init(ProcessorContext<String, String> context) {
                context.schedule(Duration.ofMillis(100), PunctuationType.WALL_CLOCK_TIME, t -> {
                    throw new IllegalStateException("clock broken");
                });
            }

            @Override
            public void process(Record<String, String> record) {
            }
        }, "in");
        HealthChecks health = new HealthChecks();
        try (StreamsJob job = start("failing", topology, health)) {
            // then the job does not loop on it unseen: it stops, and liveness says why
            // (the dying threads' exceptions are uncaught by design: they go to the job's handler, not to this test)
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(90)).until(() -> job.state() == KafkaStreams.State.ERROR);
            assertThat(health.live()).filteredOn(o -> !o.ok()).singleElement().satisfies(o -> assertThat(o.toString())
                    .startsWith("[-]failing-streams failed: stream threads failed 3 times within 10 min; last: ")
                    .contains("clock broken"));
        }
    }

    @Test
    void shouldWaitOutARegistryOutageAndDeadLetterNothingValid() throws Exception {
        // given valid Avro records on the input, and then the registry gone
        try (var producer = new KafkaProducer<>(kafka.clientConfig("it-producer"), new StringSerializer(),
                topics.accessLogs().valueSerde().serializer())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(IN, "pool", accessLog(i))).get();
            }
        }
        registry.close();
        registry = null;

        // when a job that has never seen their schema starts and reads them with its own registry client
        HealthChecks health = new HealthChecks();
        try (StreamsJob job = start("outage", jobTopics -> modelNames(jobTopics.accessLogs()), health)) {
            // then it pauses, not ready, naming the registry, and dead-letters nothing
            await().atMost(Duration.ofSeconds(60)).until(() -> health.ready().stream()
                    .anyMatch(o -> o.name().equals("schema-registry") && !o.ok()));
            assertThat(health.ready()).filteredOn(o -> o.name().equals("schema-registry")).singleElement()
                    .satisfies(o -> assertThat(o.toString()).startsWith("[-]schema-registry failed: schema registry unreachable since"));
            assertThat(out).isEmpty();

            // and once the registry is back, every record lands and the job is ready
            registry = startRegistry();
            await().atMost(Duration.ofSeconds(90)).until(() -> out.size() == 5);
            await().atMost(Duration.ofSeconds(30)).until(() -> health.ready().stream().allMatch(HealthChecks.Outcome::ok));
            assertThat(out).containsExactly("model-0", "model-1", "model-2", "model-3", "model-4");
            assertThat(deadLetters).isEmpty();
            assertThat(job.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    /** Reads access logs from the input topic and writes their model names. */
    private static Topology modelNames(Topic<String, AccessLog> accessLogs) {
        Topology topology = new Topology();
        topology.addSource("in", Serdes.String().deserializer(), accessLogs.valueSerde().deserializer(), IN);
        topology.addProcessor("model", () -> new Processor<String, AccessLog, String, String>() {
            private ProcessorContext<String, String> context;

            @Override
            public void init(ProcessorContext<String, String> context) {
                this.context = context;
            }

            @Override
            public void process(Record<String, AccessLog> record) {
                context.forward(record.withValue(record.value().getModelName()));
            }
        }, "in");
        topology.addSink("out", OUT, Serdes.String().serializer(), Serdes.String().serializer(), "model");
        return topology;
    }

    private StreamsJob start(String name, Topology topology, HealthChecks health) {
        return start(name, t -> topology, health);
    }

    private StreamsJob start(String name, Function<Topics, Topology> topology, HealthChecks health) {
        Properties props = new Properties();
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        // A replaced thread's consumer does not leave the group: its successor gets the tasks after one session timeout.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
        // The test creates its topics itself.
        return StreamsJob.start(new StreamsJobSpec(name, kafka, new StreamsJobSettings("it-" + name, stateDir, Map.of()), List.of(),
                props, topology, new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(10))), new SimpleMeterRegistry(), health);
    }

    private void send(String topic, String... values) throws Exception {
        try (var producer = new KafkaProducer<>(kafka.clientConfig("it-producer"), new StringSerializer(), new StringSerializer())) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, "k", v)).get();
            }
        }
    }

    private DevSchemaRegistry startRegistry() {
        return DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", registryPort));
    }

    private static AccessLog accessLog(int i) {
        return AccessLog.newBuilder()
                .setRequestTime(Instant.parse("2026-12-07T20:00:00Z").plusSeconds(i))
                .setCluster("it")
                .setNamespace("llm")
                .setPool("pool")
                .setModelName("model-" + i)
                .setStatus(200)
                .setLatencySeconds(0.5)
                .setSourceFormat("gcp-lb")
                .build();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
