package io.inferpulse.ingest.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.ingest.IngestMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file tailer on a real broker: restarts, crashes and rotations never lose or repeat a line,
 * as a read_committed consumer (what the streams jobs are) sees the topic.
 */
class FileTailerIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static KafkaStack stack;

    @TempDir
    Path dir;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(meters);
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private AccessLogPipeline pipeline;

    @BeforeAll
    static void startKafka() {
        stack = KafkaStack.start();
    }

    @AfterAll
    static void stopKafka() {
        stack.close();
    }

    @BeforeEach
    void createPipeline() {
        pipeline = stack.pipeline("file", stack.client, metrics);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeAfter.reversed()) {
            c.close();
        }
        pipeline.close();
    }

    /** Thrown from the commit hook: like a kill -9 between sending a batch and committing it. */
    private static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash before commit", null, false, false);
        }
    }

    @Test
    void shouldPublishEveryLineExactlyOnceAcrossAKillMidFileAndARotation() throws Exception {
        // given 300 lines, four of them bad (truncated, invalid UTF-8, huge, wrong type), tailed in batches of 100
        String pool = "restart";
        Path log = dir.resolve("access.log");
        Lines first = new Lines(pool).good(1, 49).truncated(50).good(51, 119).invalidUtf8(120).good(121, 179).huge(180)
                .good(181, 249).wrongType(250).good(251, 300);
        first.appendTo(log);
        AtomicInteger commits = new AtomicInteger();
        AtomicBoolean crashed = new AtomicBoolean();
        FileTailer.BeforeCommit killAtThirdCommit = producer -> {
            if (commits.incrementAndGet() == 3) {
                producer.flush(); // the third batch's records reach the broker, inside the open transaction
                crashed.set(true);
                throw new SimulatedCrash();
            }
        };
        FileTailer killed = FileTailer.start(settings("restart", log), pipeline, stack.kafka, metrics, killAtThirdCommit);

        // when it is killed between sending its third batch and committing it (the crash is expected: not a test failure)
        await().atMost(DEADLINE).dontCatchUncaughtExceptions().untilTrue(crashed);
        killed.close();

        // then the first two batches are committed, and the third is in the log but not committed
        List<String> committedBeforeRestart = ids(pool, IsolationLevel.READ_COMMITTED);
        assertThat(committedBeforeRestart).containsExactlyElementsOf(first.goodIds().subList(0, 197));
        assertThat(ids(pool, IsolationLevel.READ_UNCOMMITTED)).hasSizeGreaterThan(197 + 90);

        // and while it is down, lines are appended, the file is rotated (rename + create), and the new file gets lines
        Lines beforeRotation = new Lines(pool).good(301, 319).unknownField(320).good(321, 350);
        beforeRotation.appendTo(log);
        Files.move(log, dir.resolve("access.log.1"));
        Lines afterRotation = new Lines(pool).good(351, 400);
        afterRotation.appendTo(log);

        // when a tailer of the same name starts again
        FileTailer restarted = FileTailer.start(settings("restart", log), pipeline, stack.kafka, metrics);
        closeAfter.add(restarted);

        // then every good line is on the topic exactly once, in file order, old file first
        List<String> expected = new ArrayList<>(first.goodIds());
        expected.addAll(beforeRotation.goodIds());
        expected.addAll(afterRotation.goodIds());
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(ids(pool, IsolationLevel.READ_COMMITTED)).hasSameSizeAs(expected));
        assertThat(ids(pool, IsolationLevel.READ_COMMITTED)).containsExactlyElementsOf(expected);
        // and every bad line is on the dead-letter topic exactly once, with its reason
        assertThat(deadLetters(log)).extracting(DeadLetter::getReason).satisfiesExactly(
                reason -> assertThat(reason).startsWith("malformed JSON: Unexpected end-of-input"),
                reason -> assertThat(reason).isEqualTo("invalid UTF-8 at byte 9"),
                reason -> assertThat(reason).isEqualTo("line of 10000 bytes is over the limit of 4096 bytes"),
                reason -> assertThat(reason).isEqualTo("field 'status' must be an integer, got STRING"),
                reason -> assertThat(reason).isEqualTo("unknown field 'extra'"));
        assertThat(deadLetters(log).get(2).getRawTruncated()).isTrue();
        assertThat(restarted.failure()).isEmpty();
        long end = Files.size(log);
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(restarted.checkpoint())
                .hasValueSatisfying(c -> assertThat(c.offset()).isEqualTo(end)));
    }

    @Test
    void shouldReadTheRestOfACopytruncatedFileFromItsCopy() throws Exception {
        // given a tailer that has published 50 lines and then polls only every second
        String pool = "copytruncate";
        Path log = dir.resolve("access.log");
        new Lines(pool).good(1, 50).appendTo(log);
        FileTailer tailer = start(new FileTailer.Settings("copytruncate", log, Duration.ofSeconds(1), Duration.ofMillis(300), 1000));
        await().atMost(DEADLINE).until(() -> ids(pool, IsolationLevel.READ_COMMITTED).size() == 50);

        // when, between two polls, lines are appended, logrotate copies and truncates the file, and new lines follow
        new Lines(pool).good(51, 80).appendTo(log);
        Files.copy(log, dir.resolve("access.log.1"));
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        new Lines(pool).good(81, 100).appendTo(log);

        // then every line is published once, in order
        List<String> expected = IntStream.rangeClosed(1, 100).mapToObj(String::valueOf).toList();
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(ids(pool, IsolationLevel.READ_COMMITTED)).hasSameSizeAs(expected));
        assertThat(ids(pool, IsolationLevel.READ_COMMITTED)).containsExactlyElementsOf(expected);
        assertThat(meters.get("inferpulse_accesslog_tail_rotations").tag("kind", "truncate").counter().count()).isEqualTo(1);
        assertThat(tailer.failure()).isEmpty();
    }

    @Test
    void shouldWaitForTheNewlineOfAPartialLineAcrossARestart() throws Exception {
        // given two lines and the first half of a third
        String pool = "partial";
        Path log = dir.resolve("access.log");
        String third = TestLines.good(pool, "3");
        Files.writeString(log, TestLines.good(pool, "1") + "\n" + TestLines.good(pool, "2") + "\n" + third.substring(0, 30));
        FileTailer tailer = FileTailer.start(settings("partial", log), pipeline, stack.kafka, metrics);

        // then the two complete lines are published, in one transaction with a checkpoint before the partial one
        await().atMost(DEADLINE).until(() -> tailer.checkpoint().isPresent());
        assertThat(ids(pool, IsolationLevel.READ_COMMITTED)).containsExactly("1", "2");
        long completeBytes = (TestLines.good(pool, "1") + "\n" + TestLines.good(pool, "2") + "\n").length();
        assertThat(tailer.checkpoint().get().offset()).isEqualTo(completeBytes);

        // when the tailer restarts, and the line is finished
        tailer.close();
        start(settings("partial", log));
        Files.writeString(log, third.substring(30) + "\n" + TestLines.good(pool, "4") + "\n", StandardOpenOption.APPEND);

        // then the finished line is published whole, once
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(ids(pool, IsolationLevel.READ_COMMITTED)).containsExactly("1", "2", "3", "4"));
    }

    @Test
    void shouldPublishTheUnfinishedLastLineOfARotatedFileWhenMovingOn() throws Exception {
        // given a file whose last line has no newline when it is rotated away
        String pool = "unfinished";
        Path log = dir.resolve("access.log");
        Files.writeString(log, TestLines.good(pool, "1") + "\n" + TestLines.good(pool, "2"));
        start(settings("unfinished", log));
        await().atMost(DEADLINE).until(() -> ids(pool, IsolationLevel.READ_COMMITTED).size() == 1);

        // when it is renamed and a new file takes its place
        Files.move(log, dir.resolve("access.log.1"));
        Files.writeString(log, TestLines.good(pool, "3") + "\n");

        // then the old file's last line is published before the new file's
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(ids(pool, IsolationLevel.READ_COMMITTED)).containsExactly("1", "2", "3"));
        assertThat(meters.get("inferpulse_accesslog_tail_rotations").tag("kind", "rename").counter().count()).isEqualTo(1);
    }

    private FileTailer start(FileTailer.Settings settings) {
        FileTailer tailer = FileTailer.start(settings, pipeline, stack.kafka, metrics);
        closeAfter.add(tailer);
        return tailer;
    }

    private static FileTailer.Settings settings(String name, Path log) {
        return new FileTailer.Settings(name, log, Duration.ofMillis(50), Duration.ofMillis(300), 100);
    }

    private static List<String> ids(String pool, IsolationLevel isolation) {
        return stack.readAll(stack.topics().accessLogs(), isolation).stream()
                .map(ConsumerRecord::value)
                .filter(v -> v.getPool().equals(pool))
                .map(AccessLog::getRequestId)
                .toList();
    }

    private static List<DeadLetter> deadLetters(Path log) {
        return stack.readAll(stack.topics().deadLetter(), IsolationLevel.READ_COMMITTED).stream()
                .filter(r -> r.key().equals("file:" + log))
                .map(ConsumerRecord::value)
                .toList();
    }

    /** Lines of the test format, good and bad, with the ids of the good ones. */
    private static final class Lines {
        private final String pool;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final List<String> goodIds = new ArrayList<>();

        Lines(String pool) {
            this.pool = pool;
        }

        Lines good(int from, int to) {
            for (int i = from; i <= to; i++) {
                line(TestLines.good(pool, String.valueOf(i)));
                goodIds.add(String.valueOf(i));
            }
            return this;
        }

        Lines truncated(int id) {
            return line(TestLines.good(pool, String.valueOf(id)).substring(0, 25));
        }

        Lines wrongType(int id) {
            return line(TestLines.good(pool, String.valueOf(id)).replace("\"status\":200", "\"status\":\"200\""));
        }

        Lines unknownField(int id) {
            return line(TestLines.good(pool, String.valueOf(id)).replace("}", ",\"extra\":true}"));
        }

        Lines huge(int id) {
            return line("{\"pad\":\"" + "x".repeat(10_000 - 10) + "\"}");
        }

        Lines invalidUtf8(int id) {
            bytes.writeBytes("{\"time\":\"".getBytes(StandardCharsets.UTF_8));
            bytes.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28});
            bytes.writeBytes(("\",\"id\":\"" + id + "\"}\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        private Lines line(String text) {
            bytes.writeBytes((text + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        List<String> goodIds() {
            return goodIds;
        }

        void appendTo(Path file) throws IOException {
            Files.write(file, bytes.toByteArray(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
