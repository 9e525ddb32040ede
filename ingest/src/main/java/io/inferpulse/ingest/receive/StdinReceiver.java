package io.inferpulse.ingest.receive;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads access-log lines from a stream until it ends ({@code inferpulse ingest --access-log-stdin},
 * {@code kubectl logs -f gateway | inferpulse ...}) and publishes them in batches. A batch goes
 * out when it is full or when the stream has nothing more waiting, so a slow pipe is not held
 * back. A stream cannot be read twice, so a batch Kafka does not acknowledge is retried with
 * backoff until it is, or until the thread is interrupted; {@link #run} returns only after every
 * line read is acknowledged.
 */
public final class StdinReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(StdinReceiver.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    // Bounds a batch's memory when lines are long, as the line count alone does not.
    private static final long MAX_BATCH_BYTES = 8L * 1024 * 1024;
    static final String SOURCE = "stdin";

    /**
     * @param maxBatchLines lines per batch at most (and at most 8 MiB of them)
     * @param ackTimeout how long one attempt to publish a batch waits before it is retried
     */
    public record Settings(int maxBatchLines, Duration ackTimeout) {
        public Settings {
            if (maxBatchLines < 1 || ackTimeout.isNegative() || ackTimeout.isZero()) {
                throw new IllegalArgumentException("Invalid stdin receiver settings: " + this);
            }
        }

        public static Settings defaults() {
            return new Settings(2000, Duration.ofSeconds(30));
        }
    }

    /** What a run did: lines read (blank ones not counted), records published, lines dead-lettered. */
    public record Summary(long lines, long published, long rejected) {}

    private final AccessLogPipeline pipeline;
    private final Settings settings;

    public StdinReceiver(AccessLogPipeline pipeline, Settings settings) {
        this.pipeline = pipeline;
        this.settings = settings;
    }

    /** Reads until the end of the stream and returns once all its lines are acknowledged. */
    public Summary run(InputStream in) throws IOException, InterruptedException {
        List<RawLine> batch = new ArrayList<>();
        long[] lineNumber = {0};
        long[] batchBytes = {0};
        LineSplitter.Sink sink = (bytes, size, end) -> {
            lineNumber[0]++;
            if (!LineSplitter.isBlank(bytes)) {
                batch.add(new RawLine(bytes, size, SOURCE, Map.of("line", String.valueOf(lineNumber[0]))));
                batchBytes[0] += bytes.length;
            }
            return batch.size() < settings.maxBatchLines() && batchBytes[0] < MAX_BATCH_BYTES;
        };
        LineSplitter splitter = new LineSplitter(pipeline.settings().maxLineBytes(), 0);
        Totals totals = new Totals();
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = in.read(chunk)) >= 0) {
            for (int off = 0; off < n; ) {
                off += splitter.feed(chunk, off, n - off, sink);
                if (batch.size() >= settings.maxBatchLines() || batchBytes[0] >= MAX_BATCH_BYTES) {
                    publishUntilAcknowledged(batch, totals);
                    batchBytes[0] = 0;
                }
            }
            if (!batch.isEmpty() && in.available() == 0) {
                publishUntilAcknowledged(batch, totals);
                batchBytes[0] = 0;
            }
        }
        splitter.finish(sink);
        publishUntilAcknowledged(batch, totals);
        return new Summary(totals.lines, totals.published, totals.rejected);
    }

    private static final class Totals {
        long lines;
        long published;
        long rejected;
    }

    private void publishUntilAcknowledged(List<RawLine> lines, Totals totals) throws InterruptedException {
        if (lines.isEmpty()) {
            return;
        }
        AccessLogPipeline.Batch batch = pipeline.prepare(lines);
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                AccessLogPipeline.BatchResult result = pipeline.publish(batch, settings.ackTimeout());
                totals.lines += lines.size();
                totals.published += result.published();
                totals.rejected += result.rejected();
                lines.clear();
                return;
            } catch (NotAcknowledgedException e) {
                LOG.warn("A batch of {} lines from stdin is not all acknowledged yet, trying again in {} ms: {}",
                        lines.size(), backoff.toMillis(), e.getMessage());
                Thread.sleep(backoff);
                Duration doubled = backoff.multipliedBy(2);
                backoff = doubled.compareTo(pipeline.settings().maxBackoff()) > 0 ? pipeline.settings().maxBackoff() : doubled;
            }
        }
    }
}
