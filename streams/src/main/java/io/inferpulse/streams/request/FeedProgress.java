package io.inferpulse.streams.request;

import io.inferpulse.avro.AccessLog;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How far every task of the first stage has closed its windows, as the model stage learns it from
 * the repartition topic: a watermark. The model stage may close an instant only once every
 * access-log partition has closed it, because until then a first-stage task may still forward logs
 * of it. Its own stream time cannot tell: the repartition topic interleaves the tasks' output in
 * whatever order they run, and after a restart or an outage one task works through minutes of
 * backlog before another.
 *
 * <p>A first-stage task sends a marker, a record without key or value whose headers name its
 * partition and the instant it closed, to every partition of the repartition topic
 * ({@link ModelRequestPartitioner}) each time it closes. Its logs for an instant precede its marker
 * past that instant in every partition, so a log that reaches the model stage is never late there.
 * The instants are kept in a store, so a restarted task knows them before the next markers arrive.
 */
final class FeedProgress {
    static final String PARTITION_HEADER = "inferpulse.access-log-partition";
    static final String CLOSED_UP_TO_HEADER = "inferpulse.closed-up-to";

    /** A marker read from the repartition topic. */
    record Marker(int partition, long closedUpToMs) {}

    private final int partitions;
    private final KeyValueStore<String, Long> store;
    private final long[] closedUpToMs;

    /**
     * @param partitions the access-log partitions, one first-stage task each
     * @param store      the last instant closed per partition; Kafka Streams has restored it before init()
     */
    FeedProgress(int partitions, KeyValueStore<String, Long> store) {
        this.partitions = partitions;
        this.store = store;
        this.closedUpToMs = new long[partitions];
        Arrays.fill(closedUpToMs, Long.MIN_VALUE);
        try (KeyValueIterator<String, Long> stored = store.all()) {
            while (stored.hasNext()) {
                KeyValue<String, Long> entry = stored.next();
                int partition = Integer.parseInt(entry.key);
                // A partition beyond the count is one the topic no longer has as configured: not waited for.
                if (partition < partitions) {
                    closedUpToMs[partition] = entry.value;
                }
            }
        }
    }

    /** The marker a first-stage task of {@code partition} sends once it has closed up to {@code closedUpToMs}. */
    static Record<String, Object> marker(int partition, long closedUpToMs) {
        Headers headers = new RecordHeaders()
                .add(PARTITION_HEADER, Integer.toString(partition).getBytes(StandardCharsets.US_ASCII))
                .add(CLOSED_UP_TO_HEADER, Long.toString(closedUpToMs).getBytes(StandardCharsets.US_ASCII));
        return new Record<>(null, null, closedUpToMs, headers);
    }

    /**
     * The marker a record of the repartition topic is, empty for an access log.
     *
     * @throws IllegalArgumentException for a record without value that is no marker
     */
    static Optional<Marker> markerOf(Record<String, AccessLog> record) {
        if (record.value() != null) {
            return Optional.empty();
        }
        Header partition = record.headers().lastHeader(PARTITION_HEADER);
        Header closed = record.headers().lastHeader(CLOSED_UP_TO_HEADER);
        if (partition == null || closed == null) {
            throw new IllegalArgumentException("a record without value must be a progress marker with headers "
                    + PARTITION_HEADER + " and " + CLOSED_UP_TO_HEADER);
        }
        try {
            return Optional.of(new Marker(Integer.parseInt(new String(partition.value(), StandardCharsets.US_ASCII)),
                    Long.parseLong(new String(closed.value(), StandardCharsets.US_ASCII))));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("progress marker header is not a number: " + e.getMessage(), e);
        }
    }

    /**
     * Takes in a marker and returns the instant every partition has closed up to, or empty while a
     * partition has not closed any yet. A marker behind what is known (a replay) changes nothing.
     */
    OptionalLong advance(Marker marker) {
        if (marker.partition() < 0 || marker.partition() >= partitions) {
            throw new IllegalArgumentException("progress marker from access-log partition " + marker.partition()
                    + ", but the job was started for " + partitions + " partitions");
        }
        if (marker.closedUpToMs() > closedUpToMs[marker.partition()]) {
            closedUpToMs[marker.partition()] = marker.closedUpToMs();
            store.put(Integer.toString(marker.partition()), marker.closedUpToMs());
        }
        long min = Long.MAX_VALUE;
        for (long closed : closedUpToMs) {
            min = Math.min(min, closed);
        }
        return min == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(min);
    }
}
