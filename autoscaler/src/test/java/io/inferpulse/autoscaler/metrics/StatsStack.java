package io.inferpulse.autoscaler.metrics;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A real KRaft broker and dev schema registry with the stats topics, and writers of pool and model stats.
 * The registry can be stopped and started again at the same address, as in an outage.
 */
final class StatsStack implements AutoCloseable {
    final EmbeddedKafkaBroker broker;
    private DevSchemaRegistry registry;
    private final URI registryUrl;
    final Topics topics;
    private final SchemaRegistryClient client;
    private final KafkaProducer<String, PoolStats> pools;
    private final KafkaProducer<String, ModelStats> models;

    StatsStack() {
        broker = EmbeddedKafkaBroker.start();
        registry = DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0));
        registryUrl = registry.url();
        client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka().registryConfig()));
        topics = new Topics(new AvroSerdes(client));
        TopicSetup.ensure(kafka(), Topics.SPECS);
        Topic<String, PoolStats> poolStats = topics.poolStats();
        pools = new KafkaProducer<>(kafka().clientConfig("it-pool-stats"), poolStats.keySerde().serializer(),
                poolStats.valueSerde().serializer());
        Topic<String, ModelStats> modelStats = topics.modelStats();
        models = new KafkaProducer<>(kafka().clientConfig("it-model-stats"), modelStats.keySerde().serializer(),
                modelStats.valueSerde().serializer());
    }

    KafkaSettings kafka() {
        return KafkaSettings.local(broker.bootstrapServers(), registryUrl.toString());
    }

    /** Settings of a metrics API on this stack, serving on a free port. */
    Map<String, String> settings() {
        Map<String, String> s = new HashMap<>();
        s.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        s.put(KafkaSettings.SCHEMA_REGISTRY_URL.key(), registryUrl.toString());
        s.put("http.port", "0");
        return s;
    }

    void stopRegistry() {
        registry.close();
        registry = null;
    }

    /** The registry back at the address it had, with the schemas it held (they are kept on the broker). */
    void startRegistry() {
        registry = DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1",
                registryUrl.getPort()));
    }

    void send(PoolStats stats) throws Exception {
        pools.send(new ProducerRecord<>(Topics.POOL_STATS, Topics.poolKey(stats.getCluster(), stats.getNamespace(), stats.getPool()),
                stats)).get(10, TimeUnit.SECONDS);
    }

    void deletePool(String cluster, String namespace, String pool) throws Exception {
        pools.send(new ProducerRecord<>(Topics.POOL_STATS, Topics.poolKey(cluster, namespace, pool), null)).get(10, TimeUnit.SECONDS);
    }

    void send(ModelStats stats) throws Exception {
        String key = stats.getTargetModelName().isEmpty() ? stats.getModelName()
                : stats.getModelName() + "/" + stats.getTargetModelName();
        models.send(new ProducerRecord<>(Topics.MODEL_STATS, key, stats)).get(10, TimeUnit.SECONDS);
    }

    static PoolStats pool(String cluster, String namespace, String pool, Instant at, double kv, double queue, int readyPods) {
        return PoolStats.newBuilder().setCluster(cluster).setNamespace(namespace).setPool(pool).setComputedAt(at)
                .setNewestSampleTime(at).setReadyPods(readyPods).setAverageKvCacheUtilization(kv)
                .setAverageQueueSize(queue).setAverageRunningRequests(2.5)
                .setTotalQueueSize(queue * readyPods).setTotalRunningRequests(2.5 * readyPods).build();
    }

    static ModelStats model(String model, String target, Instant at, double p99, Double errorRate) {
        return ModelStats.newBuilder().setModelName(model).setTargetModelName(target).setWindowStart(at.minusSeconds(300))
                .setWindowEnd(at).setRequestCount(1000).setErrorCount(errorRate == null ? 0 : Math.round(errorRate * 1000))
                .setRequestRatePerSecond(1000 / 300.0).setErrorRate(errorRate).setLatencyP99Seconds(p99).build();
    }

    @Override
    public void close() {
        pools.close();
        models.close();
        client.close();
        if (registry != null) {
            registry.close();
        }
        broker.close();
    }
}
