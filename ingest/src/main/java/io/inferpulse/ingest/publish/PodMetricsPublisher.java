package io.inferpulse.ingest.publish;

import io.inferpulse.avro.PodMetrics;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.registry.SchemaRegistryException;
import io.inferpulse.runtime.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * serializing, so a registry outage pauses publishing instead of reordering it. A sample Kafka or
 * the registry refuses for good goes to the dead-letter topic with the reason.
 *
 * <p>At shutdown the publisher keeps sending what it holds for at most {@link #SHUTDOWN_TIMEOUT} (or
 * the time given to {@link #close(Duration)}), then says how many samples it could not deliver and
 * counts them in {@code inferpulse_ingest_samples_undelivered_total}.
 */
public final class PodMetricsPublisher implements Consumer<PodSample>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodMetricsPublisher.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final Producer<String, PodMetrics> producer;
    private final Topic<String, PodMetrics> topic;
    private final DeadLetters deadLetters;
    private final Duration maxBackoff;
    private final BlockingQueue<PodSample> buffer;
    private final Queue<ProducerRecord<String, PodMetrics>> failedSends = new ConcurrentLinkedQueue<>();
    private final IngestMetrics.Publish metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Thread drainer;
    private volatile boolean closing;

    public PodMetricsPublisher(Producer<String, PodMetrics> producer, Topic<String, PodMetrics> topic,
                               DeadLetters deadLetters, int bufferCapacity, Duration maxBackoff, IngestMetrics metrics) {
        this.producer = producer;
        this.topic = topic;
        this.deadLetters = deadLetters;
        this.maxBackoff = maxBackoff;
        this.buffer = new ArrayBlockingQueue<>(bufferCapacity);
        this.metrics = metrics.publish(this, PodMetricsPublisher::pending);
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
        metrics.offered(taken);
        return taken;
    }

    /** Samples accepted and not yet acknowledged. */
    public int pending() {
        return buffer.size() + failedSends.size() + inFlight.get();
    }

    private void drain() {
        // At shutdown it stays until Kafka has answered for every sample, as one that fails may come back to retry.
        while (!closing || pending() > 0) {
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
                inFlight.incrementAndGet();
                producer.send(record, (metadata, e) -> {
                    if (e == null) {
                        metrics.published();
                    } else if (e instanceof RetriableException) {
                        metrics.retried();
                        failedSends.add(record);
                    } else {
                        deadLetters.send(topic.name(), "publish.send", "Kafka refused the sample: " + e,
                                record.value().toString().getBytes(StandardCharsets.UTF_8), Map.of("key", record.key()));
                    }
                    inFlight.decrementAndGet();
                });
                return true;
            } catch (SerializationException e) {
                inFlight.decrementAndGet();
                if (!(e.getCause() instanceof SchemaRegistryException sre) || !sre.isRetriable()) {
                    deadLetters.send(topic.name(), "publish.serialize", e.getMessage(),
                            record.value().toString().getBytes(StandardCharsets.UTF_8), Map.of("key", record.key()));
                    return true;
                }
                LOG.warn("Schema registry unavailable, retrying in {} ms ({} samples waiting): {}",
                        backoff.toMillis(), pending() + 1, e.getMessage());
            } catch (KafkaException e) {
                inFlight.decrementAndGet();
                LOG.warn("Could not hand a pod sample to the Kafka producer, retrying in {} ms: {}", backoff.toMillis(), e.toString());
            }
            metrics.retried();
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return false;
            }
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    /**
     * Publishes what is buffered and waits for Kafka to acknowledge it, at most {@code timeout} in
     * all; then reports and counts the samples that were not delivered.
     */
    public void close(Duration timeout) {
        closing = true;
        try {
            drainer.join(timeout);
            drainer.interrupt();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int buffered = buffer.size() + failedSends.size();
        int unacknowledged = inFlight.get();
        if (buffered + unacknowledged > 0) {
            metrics.undelivered(buffered + unacknowledged);
            LOG.warn("{} pod samples not delivered within the shutdown timeout of {} ms: {} never handed to Kafka, {} sent "
                    + "and not acknowledged (those may still have landed)", buffered + unacknowledged, timeout.toMillis(),
                    buffered, unacknowledged);
        } else {
            LOG.info("Every accepted pod sample delivered at shutdown");
        }
    }

    @Override
    public void close() {
        close(SHUTDOWN_TIMEOUT);
    }
}
