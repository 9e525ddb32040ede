package io.inferpulse.runtime.deadletter;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.runtime.fault.Transience;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.schemas.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends inputs that could not be processed to the dead-letter topic with the reason, and counts
 * them once the broker holds them, so that a bad input is visible and replayable rather than
 * dropped.
 *
 * <p>A dead letter always fits the broker's default limits (one record of at most
 * {@value #MAX_RECORD_BYTES} bytes, under the producer's 1 MiB {@code max.request.size} and the
 * broker's {@code message.max.bytes}): a long reason or attribute is shortened, and the raw input is
 * cut to what room is left and marked {@code raw_truncated}, with its full length in the attribute
 * {@value #RAW_BYTES_ATTRIBUTE}. A write that fails is logged and counted in
 * {@code inferpulse_dead_letter_failures_total}; callers that must not move on before the broker
 * has the dead letter use {@link #deliver}.
 */
public final class DeadLetters {
    /** What a dead letter's key and value may take, with room to spare for the record and batch headers. */
    public static final int MAX_RECORD_BYTES = 1_000_000;
    /** The most raw input a dead letter keeps unless told otherwise; the record's limit cuts it further. */
    public static final int DEFAULT_MAX_RAW_BYTES = 1024 * 1024;
    public static final String RAW_BYTES_ATTRIBUTE = "raw_bytes";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final int MAX_TEXT_CHARS = 8 * 1024;
    /** Avro's per-field length prefixes, the timestamp, the boolean and the map's block counts, generously. */
    private static final int ENVELOPE_BYTES = 256;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final Producer<String, DeadLetter> producer;
    private final Topic<String, DeadLetter> topic;
    private final MeterRegistry meters;
    private final Clock clock;
    private final int maxRawBytes;

    /**
     * @param maxRawBytes the most raw input to keep; less is kept when the record would not fit otherwise
     */
    public DeadLetters(Producer<String, DeadLetter> producer, Topic<String, DeadLetter> topic, MeterRegistry meters,
                       Clock clock, int maxRawBytes) {
        this.producer = producer;
        this.topic = topic;
        this.meters = meters;
        this.clock = clock;
        this.maxRawBytes = maxRawBytes;
    }

    /**
     * Dead letters through a producer of their own ({@code acks=all}), which {@link #close} closes:
     * for every service that does not need its dead letters in a transaction of its own.
     *
     * @param clientId the producer's client id, as the broker's logs and quotas see it
     */
    public static DeadLetters open(KafkaSettings kafka, Topic<String, DeadLetter> topic, String clientId, MeterRegistry meters,
                                   Clock clock) {
        Map<String, Object> config = kafka.clientConfig(clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return new DeadLetters(new KafkaProducer<>(config, topic.keySerde().serializer(), topic.valueSerde().serializer()),
                topic, meters, clock, DEFAULT_MAX_RAW_BYTES);
    }

    /** Closes the producer, waiting at most {@code timeout} for what it still holds: for its owner only. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    /**
     * Records one rejected input, counted when the broker acknowledges it.
     *
     * @param source where it came from: a topic, or an input such as {@code scrape:<url>} (the record key)
     * @param stage the step that rejected it, e.g. {@code scrape.parse}; a label of the counters
     * @return completes when the broker has the dead letter, for callers that must not move on before
     */
    public CompletableFuture<RecordMetadata> send(String source, String stage, String reason, byte[] raw,
                                                  Map<String, String> attributes) {
        DeadLetter letter = letter(source, stage, reason, raw, attributes);
        LOG.warn("Dead-lettering input from {} at {}: {}", source, stage, letter.getReason());
        CompletableFuture<RecordMetadata> acknowledged = new CompletableFuture<>();
        // What the producer throws at once (a serializer without its registry, a fenced transaction) reaches
        // the caller as it would from the producer itself: nothing was sent, and the caller may try again.
        producer.send(new ProducerRecord<>(topic.name(), letter.getSource(), letter), (metadata, e) -> {
            if (e == null) {
                counter("inferpulse_dead_letters", "Inputs the dead-letter topic holds, by the stage that rejected them",
                        stage).increment();
                acknowledged.complete(metadata);
            } else {
                failed(source, stage, e);
                acknowledged.completeExceptionally(e);
            }
        });
        return acknowledged;
    }

    /**
     * Sends a dead letter and waits until the broker has it, trying again while the failure is
     * transient (the broker unreachable), for callers that move past the input only once it is kept.
     *
     * @param patience how long to keep trying; a reader in a consumer group must stay within its poll interval
     * @throws DeadLetterException when the broker refuses it for good, or still fails when patience runs out
     */
    public RecordMetadata deliver(String source, String stage, String reason, byte[] raw, Map<String, String> attributes,
                                  Duration patience) {
        RetryPolicy<RecordMetadata> policy = RetryPolicy.<RecordMetadata>builder()
                .handleIf(Transience::isTransient)
                .withBackoff(FIRST_BACKOFF, MAX_BACKOFF)
                .withMaxRetries(-1)
                .withMaxDuration(patience)
                .build();
        try {
            return Failsafe.with(policy).get(attempt -> acknowledged(send(source, stage, reason, raw, attributes),
                    patience.minus(attempt.getElapsedTime())));
        } catch (FailsafeException e) {
            if (e.getCause() instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new DeadLetterException("Could not dead-letter input from " + source + " at " + stage + " to "
                    + topic.name() + ": " + e.getCause(), e.getCause());
        } catch (RuntimeException e) {
            throw new DeadLetterException("Could not dead-letter input from " + source + " at " + stage + " to "
                    + topic.name() + ": " + e, e);
        }
    }

    /** The broker's acknowledgement within {@code left}; its failure as thrown, an unanswered send as a transient one. */
    private static RecordMetadata acknowledged(CompletableFuture<RecordMetadata> sent, Duration left)
            throws InterruptedException {
        try {
            return sent.get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // No answer in time is a transient failure, and must read as one to whoever catches the exception.
            throw new org.apache.kafka.common.errors.TimeoutException("the broker did not acknowledge it in time");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e.getCause());
        }
    }

    DeadLetter letter(String source, String stage, String reason, byte[] raw, Map<String, String> attributes) {
        return envelope(source, stage, reason, raw, attributes, clock.instant(), maxRawBytes);
    }

    /**
     * A dead letter as it must be written, texts shortened and the raw input cut so that the record
     * fits; for writers that send dead letters by other means, such as a Kafka Streams sink.
     */
    public static DeadLetter envelope(String source, String stage, String reason, byte[] raw, Map<String, String> attributes,
                                      Instant receivedAt, int maxRawBytes) {
        String src = shorten(source);
        String stg = shorten(stage);
        String why = shorten(reason == null ? "(no reason given)" : reason);
        Map<String, String> attrs = new LinkedHashMap<>();
        attributes.forEach((k, v) -> attrs.put(shorten(k), shorten(String.valueOf(v))));
        int room = MAX_RECORD_BYTES - ENVELOPE_BYTES - 2 * utf8(src) - utf8(stg) - utf8(why)
                - attrs.entrySet().stream().mapToInt(e -> utf8(e.getKey()) + utf8(e.getValue())).sum()
                - utf8(RAW_BYTES_ATTRIBUTE) - 12;
        int keep = Math.max(0, Math.min(maxRawBytes, room));
        boolean truncated = raw.length > keep;
        if (truncated) {
            attrs.put(RAW_BYTES_ATTRIBUTE, String.valueOf(raw.length));
        }
        return DeadLetter.newBuilder()
                .setSource(src)
                .setStage(stg)
                .setReason(why)
                .setRaw(ByteBuffer.wrap(truncated ? Arrays.copyOf(raw, keep) : raw))
                .setRawTruncated(truncated)
                .setReceivedAt(receivedAt)
                .setAttributes(Map.copyOf(attrs))
                .build();
    }

    private void failed(String source, String stage, Exception e) {
        counter("inferpulse_dead_letter_failures", "Dead letters the broker did not take, by the stage that rejected the input",
                stage).increment();
        LOG.error("Could not write a dead letter from {} ({}) to {}: {}", source, stage, topic.name(), e.toString());
    }

    private static String shorten(String text) {
        return text.length() <= MAX_TEXT_CHARS ? text : text.substring(0, MAX_TEXT_CHARS) + "... (" + text.length() + " chars)";
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private Counter counter(String name, String description, String stage) {
        return Counter.builder(name).description(description).tag("stage", stage).register(meters);
    }
}
