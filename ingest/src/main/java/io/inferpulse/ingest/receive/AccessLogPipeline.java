package io.inferpulse.ingest.receive;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.logs.AccessLogEntry;
import io.inferpulse.ingest.logs.AccessLogParseException;
import io.inferpulse.ingest.logs.AccessLogParser;
import io.inferpulse.ingest.receive.LineOutcome.Parsed;
import io.inferpulse.ingest.receive.LineOutcome.Rejected;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryException;
import io.inferpulse.schemas.serde.AvroSerdes;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns raw access-log lines into records of {@link Topics#ACCESS_LOGS}, and every line it cannot
 * turn into one into a dead letter with the reason, so that bad input never stops a receiver and
 * is never dropped silently. For each line:
 * <ol>
 *   <li>size: a line over {@link Settings#maxLineBytes} is rejected with its size (its dead letter
 *       holds only its start, cut by {@link DeadLetters});
 *   <li>UTF-8, decoded by a reporting decoder: invalid input is rejected with the byte offset of
 *       the first bad sequence instead of being replaced by U+FFFD and parsed;
 *   <li>the format's {@link AccessLogParser}; its {@link AccessLogParseException} becomes the
 *       reason, and any other exception is caught too, so a parser bug costs one line;
 *   <li>the request time must be one Kafka stores: not before 1970, and at most
 *       {@link Settings#maxFutureSkew} ahead of this clock (Kafka 4 brokers refuse timestamps more
 *       than an hour ahead by default, {@code log.message.timestamp.after.max.ms}); a refused
 *       record would otherwise fail its whole batch again on every retry;
 *   <li>the entry becomes an Avro {@code AccessLog} keyed {@code cluster/namespace/pool}, with the
 *       request time as the record timestamp.
 * </ol>
 *
 * <p>Receivers wait for their lines: {@link #publish} returns once Kafka has acknowledged every
 * record and dead letter of the batch (acks=all, idempotent producer), which is when an HTTP
 * receiver may answer 2xx and a stdin reader may read on. The guarantee is
 * {@code PodMetricsPublisher}'s (an accepted line is not lost, outages are retried with
 * exponential backoff up to {@link Settings#maxBackoff}), except that the buffer is the sender's
 * own: instead of queueing without a caller, {@code publish} retries until a deadline and then
 * throws {@link NotAcknowledgedException}, leaving the lines with the source (the HTTP client,
 * which retries on a 5xx). A {@link Batch} remembers what was acknowledged, so publishing it again
 * sends only the rest; those records land after the ones Kafka already took, so a retry can reorder
 * lines of a pool (the streams window by request time, with grace, not by arrival). The file
 * tailer uses {@link #process} and {@link #send} inside its own Kafka transactions instead.
 *
 * <p>Lines are counted in {@link IngestMetrics.Receiver}, tagged with the receiver's name; the
 * shared {@code inferpulse_dead_letters{stage}} counts the dead letters as well.
 */
public final class AccessLogPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogPipeline.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final int MAX_REASON_CHARS = 2000;
    // Confluent's TopicNameStrategy, which the serdes use: one subject per topic and side.
    private static final String DEAD_LETTER_SUBJECT = Topics.DEAD_LETTER + "-value";

    /**
     * @param maxLineBytes longer lines are rejected; receivers hold no more than this of one line
     * @param deadLetterRawBytes how much of a rejected line its dead letter keeps
     * @param maxFutureSkew how far ahead of this clock a request time may be
     * @param maxBackoff longest wait between two attempts while the registry or broker is down
     */
    public record Settings(int maxLineBytes, int deadLetterRawBytes, Duration maxFutureSkew, Duration maxBackoff) {
        public Settings {
            if (maxLineBytes < 64) {
                throw new IllegalArgumentException("maxLineBytes must be at least 64, got " + maxLineBytes);
            }
            if (deadLetterRawBytes < 1) {
                throw new IllegalArgumentException("deadLetterRawBytes must be positive, got " + deadLetterRawBytes);
            }
            if (maxFutureSkew.isNegative() || maxBackoff.compareTo(FIRST_BACKOFF) < 0) {
                throw new IllegalArgumentException("maxFutureSkew must be >= 0 and maxBackoff >= " + FIRST_BACKOFF.toMillis() + " ms");
            }
        }

        /** 256 KiB lines (Cloud Logging's entry limit), 64 KiB kept per dead letter, 1 h skew, 5 s backoff. */
        public static Settings defaults() {
            return new Settings(256 * 1024, 64 * 1024, Duration.ofHours(1), Duration.ofSeconds(5));
        }
    }

    /** What became of a published batch: records acknowledged on the access-logs topic, dead letters acknowledged. */
    public record BatchResult(int published, int rejected) {}

    /**
     * Lines processed and waiting to be published, with what Kafka has acknowledged so far. Made by
     * {@link #prepare}; one thread publishes it at a time.
     */
    public static final class Batch {
        private final List<LineOutcome> outcomes;
        private final Future<?>[] inFlight;
        private final boolean[] acknowledged;

        private Batch(List<LineOutcome> outcomes) {
            this.outcomes = new ArrayList<>(outcomes);
            this.inFlight = new Future<?>[outcomes.size()];
            this.acknowledged = new boolean[outcomes.size()];
        }

        public int size() {
            return outcomes.size();
        }

        /** Lines that go to the dead-letter topic. */
        public int rejected() {
            return (int) outcomes.stream().filter(o -> o instanceof Rejected).count();
        }

        List<LineOutcome> outcomes() {
            return outcomes;
        }
    }

    private record Sender(Producer<String, Object> producer, DeadLetters deadLetters) {}

    private final String receiver;
    private final AccessLogParser parser;
    private final Settings settings;
    private final SchemaRegistryClient registry;
    private final Topics topics;
    private final Clock clock;
    private final Supplier<Producer<String, Object>> producerFactory;
    private final IngestMetrics metrics;
    private final IngestMetrics.Receiver counts;
    private Sender sender;

    AccessLogPipeline(String receiver, AccessLogParser parser, Settings settings, SchemaRegistryClient registry,
                      Supplier<Producer<String, Object>> producerFactory, IngestMetrics metrics, Clock clock) {
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.registry = registry;
        this.topics = new Topics(new AvroSerdes(registry));
        this.producerFactory = producerFactory;
        this.metrics = metrics;
        this.clock = clock;
        this.counts = metrics.receiver(receiver);
    }

    /**
     * A pipeline that publishes through its own idempotent producer, made on first use (a pipeline
     * that only feeds a {@link FileTailer} never needs it).
     *
     * @param receiver names the receiver in counters, dead letters and the producer's client id
     * @param registry shared schema-registry client; stays open when the pipeline closes
     */
    public static AccessLogPipeline create(String receiver, AccessLogParser parser, Settings settings, KafkaSettings kafka,
                                           SchemaRegistryClient registry, IngestMetrics metrics, Clock clock) {
        Topics topics = new Topics(new AvroSerdes(registry));
        return new AccessLogPipeline(receiver, parser, settings, registry,
                () -> newProducer(kafka, topics, "inferpulse-accesslog-" + receiver, Map.of()), metrics, clock);
    }

    /**
     * A producer for access-log records, dead letters and tailer checkpoints (string values of
     * {@value Topics#INGEST_OFFSETS}): acks=all and idempotent unless the Kafka settings say
     * otherwise; {@code overrides} win over both.
     */
    static Producer<String, Object> newProducer(KafkaSettings kafka, Topics topics, String clientId, Map<String, Object> overrides) {
        Map<String, Object> props = kafka.clientConfig(clientId);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.putAll(overrides);
        return new KafkaProducer<>(props, new StringSerializer(), new TopicRoutingSerializer(Map.of(
                Topics.ACCESS_LOGS, topics.accessLogs().valueSerde().serializer(),
                Topics.DEAD_LETTER, topics.deadLetter().valueSerde().serializer(),
                Topics.INGEST_OFFSETS, new StringSerializer())));
    }

    public String receiver() {
        return receiver;
    }

    public Settings settings() {
        return settings;
    }

    /** Decodes, checks and parses each line, counting it; nothing is sent yet. */
    public Batch prepare(List<RawLine> lines) {
        List<LineOutcome> outcomes = new ArrayList<>(lines.size());
        for (RawLine line : lines) {
            outcomes.add(process(line));
        }
        return new Batch(outcomes);
    }

    /** A batch of one input rejected before it could be split into lines, such as an undecodable request body. */
    public Batch reject(RawLine input, Rejection rejection, String reason) {
        return new Batch(List.of(rejected(input, rejection, reason)));
    }

    /** {@link #prepare} then {@link #publish(Batch, Duration)}. */
    public BatchResult publish(List<RawLine> lines, Duration timeout) throws NotAcknowledgedException, InterruptedException {
        return publish(prepare(lines), timeout);
    }

    /**
     * Sends what of the batch is not yet acknowledged and waits until Kafka has acknowledged all of
     * it. Registry and broker outages are retried with backoff while the timeout allows.
     *
     * @throws NotAcknowledgedException when the timeout passes first, or Kafka refuses a record
     *     for a reason that is not the record's own; publishing the batch again resumes it
     */
    public BatchResult publish(Batch batch, Duration timeout) throws NotAcknowledgedException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Sender s = sender();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            handOver(batch, s, deadline);
            Throwable resend = awaitAcknowledgements(batch, deadline);
            if (resend == null) {
                return new BatchResult(batch.size() - batch.rejected(), batch.rejected());
            }
            backoff = pause(backoff, deadline, resend);
        }
    }

    private void handOver(Batch batch, Sender s, long deadline) throws NotAcknowledgedException, InterruptedException {
        Duration backoff = FIRST_BACKOFF;
        for (int i = 0; i < batch.size(); i++) {
            while (batch.inFlight[i] == null && !batch.acknowledged[i]) {
                LineOutcome outcome = batch.outcomes.get(i);
                try {
                    batch.inFlight[i] = send(s.producer(), s.deadLetters(), outcome);
                } catch (InterruptException e) {
                    throw new InterruptedException("Interrupted while handing access-log records to Kafka");
                } catch (KafkaException | SchemaRegistryException e) {
                    if (isRegistryRejection(e) && outcome instanceof Parsed p) {
                        batch.outcomes.set(i, rejected(p.line(), Rejection.SERIALIZE, e.getMessage()));
                    } else if (isRegistryRejection(e)) {
                        throw new NotAcknowledgedException("The schema registry refused the dead-letter schema", e);
                    } else {
                        backoff = pause(backoff, deadline, e);
                    }
                }
            }
        }
    }

    /** Returns null when all is acknowledged, or the failure of records that must be sent again. */
    private Throwable awaitAcknowledgements(Batch batch, long deadline) throws NotAcknowledgedException, InterruptedException {
        Throwable resend = null;
        for (int i = 0; i < batch.size(); i++) {
            Future<?> future = batch.inFlight[i];
            if (future == null) {
                continue;
            }
            LineOutcome outcome = batch.outcomes.get(i);
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                batch.inFlight[i] = null;
                batch.acknowledged[i] = true;
                if (outcome instanceof Parsed) {
                    counts.published(1);
                }
            } catch (TimeoutException e) {
                throw new NotAcknowledgedException("Kafka had not answered " + pending(batch) + " of " + batch.size()
                        + " access-log lines in time", e);
            } catch (ExecutionException e) {
                batch.inFlight[i] = null;
                Throwable cause = e.getCause();
                if (cause instanceof RetriableException) {
                    resend = cause;
                } else if (outcome instanceof Parsed p
                        && (cause instanceof RecordTooLargeException || cause instanceof InvalidTimestampException)) {
                    batch.outcomes.set(i, rejected(p.line(), Rejection.KAFKA_REFUSED, "Kafka refused the record: " + cause.getMessage()));
                    resend = cause;
                } else {
                    throw new NotAcknowledgedException("Kafka refused an access-log " + (outcome instanceof Parsed ? "record" : "dead letter")
                            + ": " + cause, cause);
                }
            }
        }
        return resend;
    }

    /** Records Kafka has not answered yet; some after the one that timed out may have been. */
    private static int pending(Batch batch) {
        int n = 0;
        for (int i = 0; i < batch.size(); i++) {
            boolean answered = batch.acknowledged[i] || (batch.inFlight[i] != null && batch.inFlight[i].isDone());
            n += answered ? 0 : 1;
        }
        return n;
    }

    private Duration pause(Duration backoff, long deadline, Throwable cause) throws NotAcknowledgedException, InterruptedException {
        if (System.nanoTime() + backoff.toNanos() > deadline) {
            throw new NotAcknowledgedException("Access-log lines not acknowledged in time; last error: " + cause.getMessage(), cause);
        }
        LOG.warn("Publishing access-log lines of {} failed, retrying in {} ms: {}", receiver, backoff.toMillis(), cause.toString());
        Thread.sleep(backoff);
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
    }

    private static boolean isRegistryRejection(Exception e) {
        SchemaRegistryException registryError = e instanceof SchemaRegistryException sre ? sre
                : e.getCause() instanceof SchemaRegistryException sre ? sre : null;
        if (registryError != null) {
            return !registryError.isRetriable();
        }
        // any other serialization failure is Avro refusing the record itself: retrying cannot help
        return e instanceof SerializationException;
    }

    /** Decodes, checks, parses and converts one line, counting what became of it. */
    LineOutcome process(RawLine line) {
        counts.received();
        if (line.size() > settings.maxLineBytes()) {
            return rejected(line, Rejection.TOO_LARGE,
                    "line of " + line.size() + " bytes is over the limit of " + settings.maxLineBytes() + " bytes");
        }
        String text;
        try {
            text = decode(line.bytes());
        } catch (InvalidUtf8 e) {
            return rejected(line, Rejection.INVALID_UTF8, "invalid UTF-8 at byte " + e.offset);
        }
        AccessLogEntry entry;
        try {
            entry = parser.parse(text);
        } catch (AccessLogParseException e) {
            return rejected(line, Rejection.PARSE, e.getMessage() == null ? "not a " + parser.format() + " entry" : e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("The {} parser failed on a line from {} (a bug in the parser; the line is dead-lettered)",
                    parser.format(), line.source(), e);
            return rejected(line, Rejection.PARSER_ERROR, "the " + parser.format() + " parser failed: " + e);
        }
        long timestamp = epochMillis(entry);
        long latest = clock.millis() + settings.maxFutureSkew().toMillis();
        if (timestamp < 0 || timestamp > latest) {
            return rejected(line, Rejection.TIME_OUT_OF_RANGE, "request time " + entry.requestTime()
                    + (timestamp < 0 ? " is before 1970, which a Kafka record cannot carry"
                    : " is more than " + settings.maxFutureSkew() + " ahead of this receiver's clock (" + clock.instant() + ")"));
        }
        counts.parsed();
        return new Parsed(line, AccessLogRecords.key(entry), timestamp, AccessLogRecords.toAvro(entry));
    }

    /**
     * Hands one outcome to a producer: the record, or its dead letter. Registry outages surface
     * here as exceptions, before anything is sent or counted, so the caller can retry the outcome.
     */
    Future<RecordMetadata> send(Producer<String, Object> producer, DeadLetters deadLetters, LineOutcome outcome) {
        return switch (outcome) {
            case Parsed p -> producer.send(new ProducerRecord<>(Topics.ACCESS_LOGS, null, p.timestamp(), p.key(), p.value()));
            case Rejected r -> {
                // Registered before DeadLetters counts and logs the letter, so that a registry outage
                // fails the attempt first and a retried line is counted once. The client caches the id:
                // after the first success this is a map lookup.
                registry.register(DEAD_LETTER_SUBJECT, DeadLetter.getClassSchema());
                Map<String, String> attributes = new HashMap<>(r.line().attributes());
                attributes.put("receiver", receiver);
                attributes.put("format", parser.format());
                attributes.put("size", String.valueOf(r.line().size()));
                yield deadLetters.send(r.line().source(), r.rejection().stage(), r.reason(), r.line().bytes(), attributes);
            }
        };
    }

    /**
     * Dead letters written with the given producer: the file tailer's transactional one, so that its
     * dead letters commit or abort with its records.
     */
    @SuppressWarnings("unchecked")
    DeadLetters deadLetters(Producer<String, Object> producer) {
        // The routing serializer picks the dead-letter serializer by topic, so this producer takes DeadLetter values.
        Producer<String, DeadLetter> letters = (Producer<String, DeadLetter>) (Producer<String, ?>) producer;
        return new DeadLetters(letters, topics.deadLetter(), metrics.registry(), clock, settings.deadLetterRawBytes());
    }

    Topics topics() {
        return topics;
    }

    /** Counts records acknowledged outside {@link #publish}: those of a committed transaction. */
    void countPublished(long records) {
        counts.published(records);
    }

    private synchronized Sender sender() {
        if (sender == null) {
            Producer<String, Object> producer = producerFactory.get();
            sender = new Sender(producer, deadLetters(producer));
        }
        return sender;
    }

    private Rejected rejected(RawLine line, Rejection rejection, String reason) {
        counts.rejected(rejection);
        String shortened = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) + "..." : reason;
        return new Rejected(line, rejection, shortened);
    }

    private static long epochMillis(AccessLogEntry entry) {
        try {
            return entry.requestTime().toEpochMilli();
        } catch (ArithmeticException e) {
            return entry.requestTime().isBefore(java.time.Instant.EPOCH) ? -1 : Long.MAX_VALUE;
        }
    }

    private static final class InvalidUtf8 extends Exception {
        private final int offset;

        InvalidUtf8(int offset) {
            super(null, null, false, false);
            this.offset = offset;
        }
    }

    private static String decode(byte[] bytes) throws InvalidUtf8 {
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(bytes, StandardCharsets.US_ASCII);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new InvalidUtf8(in.position());
        }
        decoder.flush(out);
        return out.flip().toString();
    }


    /** Flushes and closes the pipeline's producer, if it made one. */
    @Override
    public synchronized void close() {
        if (sender != null) {
            sender.producer().close(Duration.ofSeconds(10));
        }
    }
}
