package io.inferpulse.ingest.receive;

import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.receive.LineOutcome.Parsed;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one access-log file like {@code tail -F} and publishes every line exactly once, across
 * restarts, crashes and rotations.
 *
 * <h2>Exactly once</h2>
 * This is Kafka Connect's exactly-once source pattern. The tailer owns a transactional producer,
 * {@code transactional.id = inferpulse-tail-<name>}. Each batch of lines is one transaction
 * holding the batch's access-log records, the dead letters of its rejected lines, and a
 * checkpoint (file identity and the byte offset after the batch's last line) in the compacted
 * topic {@value Topics#INGEST_OFFSETS}, keyed by the tailer's name. A read_committed consumer therefore
 * sees a line's record if and only if it sees the checkpoint past that line. On start the tailer:
 * <ol>
 *   <li>calls {@code initTransactions()}, which aborts any transaction a previous instance left
 *       open when it was killed, and fences that instance should it still be alive (zombie
 *       fencing: its next send or commit fails with {@link ProducerFencedException}, and it stops);
 *   <li>reads its last committed checkpoint with {@code isolation.level=read_committed}
 *       ({@link CheckpointReader});
 *   <li>finds the checkpoint's file, even if it was rotated away meanwhile (below), and reads on
 *       from the checkpoint's offset.
 * </ol>
 * Lines after the last committed checkpoint were either never sent or sent in a transaction that
 * is now aborted, so reading them again publishes each exactly once. Any failure during a batch
 * (broker or registry down, a timed-out commit) aborts its transaction and retries it; when even
 * the outcome of a commit is unknown, the tailer starts over from step 1, which settles it. The
 * name must be unique per file across all instances (for a DaemonSet, include the node name):
 * two instances with one name fence each other.
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>A partial last line is left where it is until its {@code \n} arrives; the checkpoint
 *       stays at its start.
 *   <li>Rotation by rename ({@code logrotate create}): once the path names a different file
 *       (another {@link BasicFileAttributes#fileKey()}, device and inode), the old file is read
 *       to its end and followed until it has not grown for {@link Settings#rotateWait}, since the
 *       writer keeps appending to it until it reopens its log. Its unfinished last line, if any,
 *       is then published as a line, and the tailer moves to the new file's start in the same
 *       transaction.
 *   <li>{@code copytruncate}: a file that shrinks below the read position, or whose first bytes
 *       change, was truncated. Lines after the checkpoint are then read from the copy
 *       ({@code access.log.1}), found in the same directory by its fingerprint, before the
 *       truncated file is read from its start. Lines written between logrotate's copy and its
 *       truncation are lost, as with any reader of a copytruncated file.
 *   <li>After a restart the checkpoint's file is looked for at the path, then in the path's
 *       directory: by identity and fingerprint (renamed), then by fingerprint alone (copied).
 *       If it is gone (deleted, compressed) the tailer warns and starts at the current file's
 *       beginning. With no checkpoint at all it starts at the beginning of the file.
 * </ul>
 */
public final class FileTailer implements AutoCloseable {
    /** Compacted topic of every tailer's checkpoint, keyed by tailer name; created when missing. */

    private static final Logger LOG = LoggerFactory.getLogger(FileTailer.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration CHECKPOINT_READ_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final int READ_CHUNK_BYTES = 64 * 1024;
    // Bounds a transaction's memory when lines are long: 5,000 lines of 256 KiB would be over a gigabyte.
    private static final long MAX_BATCH_BYTES = 16L * 1024 * 1024;

    /**
     * @param name unique per file across all instances: the checkpoint key and the transactional id's suffix
     * @param path the file to follow, as the writer names it
     * @param pollInterval how often an idle tailer looks for new lines and rotation
     * @param rotateWait how long a rotated-away file must stay unchanged before the tailer moves on
     * @param maxBatchLines lines per transaction at most (and at most 16 MiB of them)
     */
    public record Settings(String name, Path path, Duration pollInterval, Duration rotateWait, int maxBatchLines) {
        public Settings {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(path, "path");
            if (name.isBlank() || pollInterval.isNegative() || pollInterval.isZero() || rotateWait.isNegative()
                    || maxBatchLines < 1) {
                throw new IllegalArgumentException("Invalid file tailer settings: " + this);
            }
        }

        /** Polls every 250 ms, waits 5 s on a rotated file (Fluent Bit's Rotate_Wait), 5,000 lines per transaction. */
        public static Settings of(String name, Path path) {
            return new Settings(name, path, Duration.ofMillis(250), Duration.ofSeconds(5), 5000);
        }

        public String transactionalId() {
            return "inferpulse-tail-" + name;
        }
    }

    /** Runs after a batch is sent and before its transaction commits: where tests kill a tailer. */
    @FunctionalInterface
    interface BeforeCommit {
        void run(Producer<String, Object> producer);
    }

    /** The file being read and how far. */
    private static final class TailedFile {
        final Path openedAt;
        final FileChannel channel;
        final String fileKey;
        final LineSplitter splitter;
        long committed;
        long nextLineStart;
        long readPosition;
        int fingerprintLength;
        long fingerprint;
        long lastGrowthNanos = System.nanoTime();

        TailedFile(Path openedAt, FileChannel channel, String fileKey, Checkpoint from, int maxLineBytes) {
            this.openedAt = openedAt;
            this.channel = channel;
            this.fileKey = fileKey;
            this.committed = from.offset();
            this.nextLineStart = from.offset();
            this.readPosition = from.offset();
            this.fingerprintLength = from.fingerprintLength();
            this.fingerprint = from.fingerprint();
            this.splitter = new LineSplitter(maxLineBytes, from.offset());
        }
    }

    private record Read(List<RawLine> lines, long end) {}

    private final Settings settings;
    private final AccessLogPipeline pipeline;
    private final KafkaSettings kafka;
    private final BeforeCommit beforeCommit;
    private final IngestMetrics metrics;
    private final ByteBuffer chunk = ByteBuffer.allocate(READ_CHUNK_BYTES);
    private final Thread thread;
    private Producer<String, Object> producer;
    private DeadLetters deadLetters;
    private TailedFile current;
    private volatile Checkpoint committed;
    private volatile Throwable failure;
    private volatile boolean closing;

    private FileTailer(Settings settings, AccessLogPipeline pipeline, KafkaSettings kafka, IngestMetrics metrics,
                       BeforeCommit beforeCommit) {
        this.settings = settings;
        this.pipeline = pipeline;
        this.kafka = kafka;
        this.metrics = metrics;
        this.beforeCommit = beforeCommit;
        this.thread = Thread.ofPlatform().name("tail-" + settings.name()).unstarted(this::run);
    }

    /** Starts following on a thread of its own; connecting to Kafka and finding the file happen there. */
    public static FileTailer start(Settings settings, AccessLogPipeline pipeline, KafkaSettings kafka, IngestMetrics metrics) {
        return start(settings, pipeline, kafka, metrics, producer -> { });
    }

    static FileTailer start(Settings settings, AccessLogPipeline pipeline, KafkaSettings kafka, IngestMetrics metrics,
                            BeforeCommit beforeCommit) {
        FileTailer tailer = new FileTailer(settings, pipeline, kafka, metrics, beforeCommit);
        tailer.thread.start();
        return tailer;
    }

    /** Why the tailer stopped on its own (fenced by another instance with its name, or a bug), if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** The last checkpoint this instance committed or resumed from. */
    Optional<Checkpoint> checkpoint() {
        return Optional.ofNullable(committed);
    }

    private void run() {
        boolean graceful = false;
        try {
            connect();
            while (!closing) {
                if (!step()) {
                    LockSupport.parkNanos(settings.pollInterval().toNanos());
                }
            }
            graceful = true;
        } catch (ProducerFencedException e) {
            failure = e;
            graceful = true;
            LOG.error("Tailer {} stopped: another instance took over transactional id {} (tailer names must be unique per file)",
                    settings.name(), settings.transactionalId());
        } catch (RuntimeException e) {
            failure = e;
            graceful = true;
            LOG.error("Tailer {} of {} stopped", settings.name(), settings.path(), e);
        } finally {
            closeFile();
            if (producer != null) {
                // An Error leaves the transaction open, as a killed process would: the next
                // instance's initTransactions aborts it. A graceful close has none open.
                producer.close(graceful ? CLOSE_TIMEOUT : Duration.ZERO);
            }
        }
    }

    /** Makes a producer, fences earlier instances, reads the checkpoint and opens its file; retries until it works or the tailer closes. */
    private void connect() {
        Duration backoff = FIRST_BACKOFF;
        while (!closing) {
            try {
                TopicSetup.ensure(kafka, Topics.specs(Topics.INGEST_OFFSETS));
                producer = AccessLogPipeline.newProducer(kafka, pipeline.topics(), settings.transactionalId(),
                        Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId()));
                deadLetters = pipeline.deadLetters(producer);
                producer.initTransactions();
                Optional<Checkpoint> checkpoint = CheckpointReader.read(kafka, settings.name(), CHECKPOINT_READ_TIMEOUT);
                reposition(checkpoint);
                return;
            } catch (ProducerFencedException e) {
                throw e;
            } catch (KafkaException | IllegalStateException | IOException e) {
                LOG.warn("Tailer {} cannot resume yet, retrying in {} ms: {}", settings.name(), backoff.toMillis(), e.toString());
                if (producer != null) {
                    producer.close(Duration.ZERO);
                    producer = null;
                }
                closeFile();
                backoff = pause(backoff);
            }
        }
    }

    /** Does one unit of work; false when there was nothing to do. */
    private boolean step() {
        try {
            if (current == null) {
                current = openAtStart();
                return current != null;
            }
            if (truncated(current)) {
                followTruncation();
                return true;
            }
            Read read = read(current);
            if (!read.lines().isEmpty()) {
                Checkpoint next = checkpointAt(current, read.end());
                if (commit(read.lines(), next)) {
                    advance(current, next);
                }
                return true;
            }
            return moveToRotatedFile();
        } catch (IOException e) {
            LOG.warn("Tailer {} could not read {}, trying again: {}", settings.name(), settings.path(), e.toString());
            return false;
        }
    }

    /** Reads complete lines from the read position, up to a batch of lines or bytes. */
    private Read read(TailedFile file) throws IOException {
        List<RawLine> lines = new ArrayList<>();
        long[] end = {file.nextLineStart};
        long[] bytesHeld = {0};
        LineSplitter.Sink sink = (bytes, size, endOffset) -> {
            if (!LineSplitter.isBlank(bytes)) {
                lines.add(line(file, bytes, size));
                bytesHeld[0] += bytes.length;
            }
            file.nextLineStart = endOffset;
            end[0] = endOffset;
            return lines.size() < settings.maxBatchLines() && bytesHeld[0] < MAX_BATCH_BYTES;
        };
        while (lines.size() < settings.maxBatchLines() && bytesHeld[0] < MAX_BATCH_BYTES) {
            chunk.clear();
            int n = file.channel.read(chunk, file.readPosition);
            if (n <= 0) {
                break;
            }
            file.lastGrowthNanos = System.nanoTime();
            file.readPosition += file.splitter.feed(chunk.array(), 0, n, sink);
        }
        return new Read(lines, end[0]);
    }

    private RawLine line(TailedFile file, byte[] bytes, long size) {
        return new RawLine(bytes, size, "file:" + settings.path(),
                Map.of("offset", String.valueOf(file.nextLineStart), "file_key", file.fileKey, "tailer", settings.name()));
    }

    /**
     * Publishes the lines and the checkpoint in one transaction.
     *
     * @return true once committed; false when the tailer is closing or had to start over from its
     *     stored checkpoint, in which case the caller's view of the file is stale
     */
    private boolean commit(List<RawLine> lines, Checkpoint next) {
        List<LineOutcome> outcomes = lines.stream().map(pipeline::process).toList();
        Duration backoff = FIRST_BACKOFF;
        // every failed attempt is aborted before the next, so no transaction is open at the top of the loop
        while (!closing) {
            try {
                producer.beginTransaction();
                for (LineOutcome outcome : outcomes) {
                    pipeline.send(producer, deadLetters, outcome);
                }
                producer.send(new ProducerRecord<>(Topics.INGEST_OFFSETS, settings.name(), next.toJson()));
                beforeCommit.run(producer);
                producer.commitTransaction();
                committed = next;
                pipeline.countPublished(outcomes.stream().filter(o -> o instanceof Parsed).count());
                return true;
            } catch (ProducerFencedException e) {
                throw e;
            } catch (KafkaException | SchemaRegistryException | IllegalStateException e) {
                LOG.warn("Tailer {}: a batch of {} lines failed, retrying in {} ms: {}",
                        settings.name(), lines.size(), backoff.toMillis(), e.toString());
                if (!abort()) {
                    // A commit that timed out may have happened or not: the stored checkpoint says which.
                    producer.close(Duration.ZERO);
                    producer = null;
                    connect();
                    return false;
                }
                backoff = pause(backoff);
            }
        }
        return false;
    }

    private boolean abort() {
        try {
            producer.abortTransaction();
            return true;
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("Tailer {} could not abort its transaction: {}", settings.name(), e.toString());
            return false;
        }
    }

    private void advance(TailedFile file, Checkpoint next) {
        file.committed = next.offset();
        file.fingerprintLength = next.fingerprintLength();
        file.fingerprint = next.fingerprint();
    }

    private Checkpoint checkpointAt(TailedFile file, long offset) throws IOException {
        int length = (int) Math.min(offset, Checkpoint.FINGERPRINT_BYTES);
        long fingerprint = length == file.fingerprintLength ? file.fingerprint : Checkpoint.fingerprint(file.channel, length);
        return new Checkpoint(file.openedAt.toString(), file.fileKey, offset, length, fingerprint);
    }

    /** A file that shrank below what was read, or whose first bytes changed, was truncated in place. */
    private boolean truncated(TailedFile file) throws IOException {
        return file.channel.size() < file.readPosition
                || Checkpoint.fingerprint(file.channel, file.fingerprintLength) != file.fingerprint;
    }

    /** Reads the lines after the checkpoint from the copy logrotate made, if it can be found, then the file from its start. */
    private void followTruncation() throws IOException {
        TailedFile truncated = current;
        Checkpoint at = checkpointAt(truncated, truncated.committed);
        metrics.tailRotated(settings.name(), "truncate");
        Optional<TailedFile> copy = at.fingerprintLength() == 0 ? Optional.empty()
                : find(at, p -> !Objects.equals(fileKey(p), truncated.fileKey));
        closeFile();
        if (copy.isPresent()) {
            LOG.info("Tailer {}: {} was truncated (copytruncate); reading the rest of it from {}",
                    settings.name(), settings.path(), copy.get().openedAt);
            current = copy.get();
        } else {
            LOG.warn("Tailer {}: {} was truncated and no copy of it was found; lines after offset {} that were not read are lost",
                    settings.name(), settings.path(), at.offset());
            current = openAtStart();
        }
    }

    /**
     * Moves to the file now at the path once the current one is finished: rotated away and
     * unchanged for the rotate wait. Its unfinished last line goes out with the move.
     */
    private boolean moveToRotatedFile() throws IOException {
        String atPath = fileKey(settings.path());
        if (atPath == null || atPath.equals(current.fileKey)
                || System.nanoTime() - current.lastGrowthNanos < settings.rotateWait().toNanos()) {
            return false;
        }
        TailedFile next = openAtStart();
        if (next == null) {
            return false;
        }
        TailedFile finished = current;
        List<RawLine> last = new ArrayList<>();
        finished.splitter.finish((bytes, size, end) -> {
            if (!LineSplitter.isBlank(bytes)) {
                last.add(line(finished, bytes, size));
            }
            return true;
        });
        Checkpoint start = checkpointAt(next, 0);
        if (!commit(last, start)) {
            closeQuietly(next.channel);
            return true;
        }
        metrics.tailRotated(settings.name(), "rename");
        LOG.info("Tailer {}: finished the rotated file {} ({}), following the new {}",
                settings.name(), settings.path(), finished.fileKey, next.fileKey);
        closeFile();
        current = next;
        return true;
    }

    /** Opens the stored checkpoint's file at its offset, wherever it is now; without one, the path from its start. */
    private void reposition(Optional<Checkpoint> checkpoint) throws IOException {
        closeFile();
        committed = checkpoint.orElse(null);
        if (checkpoint.isEmpty()) {
            current = openAtStart();
            return;
        }
        Checkpoint at = checkpoint.get();
        Optional<TailedFile> found = find(at, p -> Objects.equals(fileKey(p), at.fileKey()));
        if (found.isEmpty() && at.fingerprintLength() > 0) {
            found = find(at, p -> true);
        }
        if (found.isPresent()) {
            current = found.get();
            LOG.info("Tailer {} resumes {} at offset {}", settings.name(), current.openedAt, at.offset());
        } else {
            LOG.warn("Tailer {}: the file of its checkpoint ({}, {} at offset {}) is gone; lines written to it after that "
                    + "offset are lost. Starting {} from its beginning", settings.name(), at.path(), at.fileKey(), at.offset(),
                    settings.path());
            current = openAtStart();
        }
    }

    @FunctionalInterface
    private interface Candidate {
        boolean test(Path path) throws IOException;
    }

    /** The path, then the other files of its directory, that pass the test and match the checkpoint, opened at its offset. */
    private Optional<TailedFile> find(Checkpoint at, Candidate candidate) throws IOException {
        Path path = settings.path().toAbsolutePath();
        List<Path> candidates = new ArrayList<>();
        candidates.add(path);
        try (Stream<Path> siblings = Files.list(path.getParent())) {
            siblings.filter(p -> !p.equals(path)).sorted().forEach(candidates::add);
        }
        for (Path p : candidates) {
            if (!candidate.test(p)) {
                continue;
            }
            TailedFile file;
            try {
                file = open(p, at);
                if (file == null) {
                    continue;
                }
            } catch (IOException e) {
                LOG.debug("Tailer {} skips {}: {}", settings.name(), p, e.toString());
                continue;
            }
            if (at.matches(file.channel)) {
                return Optional.of(file);
            }
            closeQuietly(file.channel);
        }
        return Optional.empty();
    }

    /** The file at the path, from its first byte; null when there is none. */
    private TailedFile openAtStart() throws IOException {
        return open(settings.path(), new Checkpoint(settings.path().toString(), "", 0, 0, 0));
    }

    /** Opens a file, making sure the identity recorded is that of the file opened; null if it is not there. */
    private TailedFile open(Path path, Checkpoint at) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            String before = fileKey(path);
            if (before == null) {
                return null;
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return null;
            }
            if (before.equals(fileKey(path))) {
                return new TailedFile(path, channel, before, at, pipeline.settings().maxLineBytes());
            }
            channel.close(); // replaced between the two looks: look again
        }
        return null;
    }

    /** Device and inode where the file system has them; null when there is no regular file. */
    private static String fileKey(Path path) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return null;
            }
            Object key = attributes.fileKey();
            return key != null ? key.toString() : "created:" + attributes.creationTime();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private Duration pause(Duration backoff) {
        LockSupport.parkNanos(backoff.toNanos());
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(pipeline.settings().maxBackoff()) > 0 ? pipeline.settings().maxBackoff() : doubled;
    }

    private void closeFile() {
        if (current != null) {
            closeQuietly(current.channel);
            current = null;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Could not close a tailed file: {}", e.toString());
        }
    }

    /**
     * Stops after the batch in flight (committed, or abandoned and aborted while Kafka is down: it
     * is read again on the next start), closes the file and the producer.
     */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(CLOSE_TIMEOUT.plusSeconds(5).toMillis());
            if (thread.isAlive()) {
                LOG.warn("Tailer {} did not stop within {}", settings.name(), CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
