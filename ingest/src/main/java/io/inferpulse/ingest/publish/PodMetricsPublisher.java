package io.inferpulse.ingest.publish;

import io.inferpulse.avro.PodMetrics;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.registry.SchemaRegistryException;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes pod samples to the pod-metrics topic from a bounded buffer. A sample the buffer
 * accepts is not lost: while the schema registry or the broker is unreachable the publisher keeps
 * the sample and retries it with exponential backoff; only when the buffer is full are new samples
 * refused, and those are counted. Samples are written in the order they were accepted, one thread
 * serializing, so a registry outage pauses publishing instead of reordering it.
 */
public final class PodMetricsPublisher implements Consumer<PodSample>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodMetricsPublisher.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    private final Producer<String, PodMetrics> producer;
    private final Topic<String, PodMetrics> topic;
    private final DeadLetters deadLetters;
    private final Duration maxBackoff;
    private final BlockingQueue<PodSample> buffer;
    private final Queue<ProducerRecord<String, PodMetrics>> failedSends = new ConcurrentLinkedQueue<>();
    private final Counter accepted;
    private final Counter refused;
    private final Counter published;
    private final Counter retries;
    private final Thread drainer;
    private volatile boolean closing;

    public PodMetricsPublisher(Producer<String, PodMetrics> producer, Topic<String, PodMetrics> topic,
                               DeadLetters deadLetters, int bufferCapacity, Duration maxBackoff, MeterRegistry meters) {
        this.producer = producer;
        this.topic = topic;
        this.deadLetters = deadLetters;
        this.maxBackoff = maxBackoff;
        this.buffer = new ArrayBlockingQueue<>(bufferCapacity);
        this.accepted = Counter.builder("inferpulse_ingest_samples_accepted")
                .description("Pod samples taken into the publish buffer").register(meters);
        this.refused = Counter.builder("inferpulse_ingest_samples_refused")
                .description("Pod samples refused because the publish buffer was full").register(meters);
        this.published = Counter.builder("inferpulse_ingest_samples_published")
                .description("Pod samples acknowledged by Kafka").register(meters);
        this.retries = Counter.builder("inferpulse_ingest_publish_retries")
                .description("Attempts to publish a sample again after the registry or broker failed").register(meters);
        Gauge.builder("inferpulse_ingest_buffer_samples", buffer, q -> q.size() + failedSends.size())
                .description("Pod samples accepted and not yet acknowledged by Kafka").register(meters);
        this.drainer = Thread.ofPlatform().name("pod-metrics-publisher").start(this::drain);
    }

    /** Takes the sample into the buffer, or counts it refused when the buffer is full. */
    @Override
    public void accept(PodSample sample) {
        offer(sample);
    }

    /** Like {@link #accept} but tells the caller whether the sample was taken, for callers that can wait. */
    public boolean offer(PodSample sample) {
        boolean taken = buffer.offer(sample);
        (taken ? accepted : refused).increment();
        return taken;
    }

    /** Samples accepted and not yet acknowledged. */
    public int pending() {
        return buffer.size() + failedSends.size();
    }

    private void drain() {
        while (!closing || !buffer.isEmpty() || !failedSends.isEmpty()) {
            ProducerRecord<String, PodMetrics> record = failedSends.poll();
            if (record == null) {
                PodSample sample;
                try {
                    sample = buffer.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (sample == null) {
                    continue;
                }
                record = new ProducerRecord<>(topic.name(), null, sample.sampleTime().toEpochMilli(),
                        PodMetricsRecords.key(sample), PodMetricsRecords.toAvro(sample));
            }
            if (!sendUntilHandedOver(record)) {
                return;
            }
        }
    }

    /** Returns false only when interrupted; every other failure is retried or dead-lettered. */
    private boolean sendUntilHandedOver(ProducerRecord<String, PodMetrics> record) {
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                producer.send(record, (metadata, e) -> {
                    if (e == null) {
                        published.increment();
                    } else if (e instanceof RetriableException) {
                        retries.increment();
                        failedSends.add(record);
                    } else {
                        LOG.error("Kafka refused a pod sample of {} for good: {}", record.key(), e.toString());
                    }
                });
                return true;
            } catch (SerializationException e) {
                if (!(e.getCause() instanceof SchemaRegistryException sre) || !sre.isRetriable()) {
                    deadLetters.send(topic.name(), "publish.serialize", e.getMessage(),
                            record.value().toString().getBytes(StandardCharsets.UTF_8), Map.of("key", record.key()));
                    return true;
                }
                LOG.warn("Schema registry unavailable, retrying in {} ms ({} samples waiting): {}",
                        backoff.toMillis(), pending() + 1, e.getMessage());
            } catch (KafkaException e) {
                LOG.warn("Could not hand a pod sample to the Kafka producer, retrying in {} ms: {}", backoff.toMillis(), e.toString());
            }
            retries.increment();
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return false;
            }
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    /** Publishes what is buffered (waiting at most {@code timeout}), then flushes the producer. */
    public void close(Duration timeout) {
        closing = true;
        try {
            drainer.join(timeout);
            if (drainer.isAlive()) {
                LOG.warn("{} pod samples not published at shutdown", pending());
                drainer.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.flush();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
