package io.inferpulse.streams.score;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The recent requests of one endpoint address, counted in fixed-width time buckets by completion
 * time: per bucket the requests, the errors and the latency sum. Mutable; the value of the outcome store.
 */
final class RecentOutcomes {
    private static final byte VERSION = 1;
    private static final int BUCKET_BYTES = Long.BYTES * 3 + Double.BYTES;

    // Parallel arrays sorted by bucket start; a window holds a dozen buckets, so linear scans are cheapest.
    private long[] starts;
    private long[] requests;
    private long[] errors;
    private double[] latencySums;
    private int size;

    RecentOutcomes() {
        this(4);
    }

    private RecentOutcomes(int capacity) {
        starts = new long[capacity];
        requests = new long[capacity];
        errors = new long[capacity];
        latencySums = new double[capacity];
    }

    void add(long completedAtMs, long bucketMs, boolean error, double latencySeconds) {
        long start = Math.floorDiv(completedAtMs, bucketMs) * bucketMs;
        int at = 0;
        while (at < size && starts[at] < start) {
            at++;
        }
        if (at == size || starts[at] != start) {
            insert(at, start);
        }
        requests[at]++;
        if (error) {
            errors[at]++;
        }
        latencySums[at] += latencySeconds;
    }

    /** Drops the buckets that end at or before {@code windowStartMs}; true when any was dropped. */
    boolean expire(long windowStartMs, long bucketMs) {
        int drop = 0;
        while (drop < size && starts[drop] + bucketMs <= windowStartMs) {
            drop++;
        }
        if (drop == 0) {
            return false;
        }
        System.arraycopy(starts, drop, starts, 0, size - drop);
        System.arraycopy(requests, drop, requests, 0, size - drop);
        System.arraycopy(errors, drop, errors, 0, size - drop);
        System.arraycopy(latencySums, drop, latencySums, 0, size - drop);
        size -= drop;
        return true;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Requests in the buckets that end after {@code windowStartMs}. */
    long requests(long windowStartMs, long bucketMs) {
        long sum = 0;
        for (int i = first(windowStartMs, bucketMs); i < size; i++) {
            sum += requests[i];
        }
        return sum;
    }

    long errors(long windowStartMs, long bucketMs) {
        long sum = 0;
        for (int i = first(windowStartMs, bucketMs); i < size; i++) {
            sum += errors[i];
        }
        return sum;
    }

    double latencySeconds(long windowStartMs, long bucketMs) {
        double sum = 0;
        for (int i = first(windowStartMs, bucketMs); i < size; i++) {
            sum += latencySums[i];
        }
        return sum;
    }

    private int first(long windowStartMs, long bucketMs) {
        int i = 0;
        while (i < size && starts[i] + bucketMs <= windowStartMs) {
            i++;
        }
        return i;
    }

    private void insert(int at, long start) {
        if (size == starts.length) {
            int capacity = size * 2;
            starts = Arrays.copyOf(starts, capacity);
            requests = Arrays.copyOf(requests, capacity);
            errors = Arrays.copyOf(errors, capacity);
            latencySums = Arrays.copyOf(latencySums, capacity);
        }
        System.arraycopy(starts, at, starts, at + 1, size - at);
        System.arraycopy(requests, at, requests, at + 1, size - at);
        System.arraycopy(errors, at, errors, at + 1, size - at);
        System.arraycopy(latencySums, at, latencySums, at + 1, size - at);
        starts[at] = start;
        requests[at] = 0;
        errors[at] = 0;
        latencySums[at] = 0;
        size++;
    }

    /**
     * Store layout: version byte, int32 bucket count, then per bucket int64 start (epoch ms), int64
     * requests, int64 errors, float64 latency sum in seconds. A new layout takes a new version byte.
     */
    static Serde<RecentOutcomes> serde() {
        Serializer<RecentOutcomes> serializer = (topic, outcomes) -> {
            if (outcomes == null) {
                return null;
            }
            ByteBuffer out = ByteBuffer.allocate(1 + Integer.BYTES + outcomes.size * BUCKET_BYTES);
            out.put(VERSION).putInt(outcomes.size);
            for (int i = 0; i < outcomes.size; i++) {
                out.putLong(outcomes.starts[i]).putLong(outcomes.requests[i]).putLong(outcomes.errors[i])
                        .putDouble(outcomes.latencySums[i]);
            }
            return out.array();
        };
        Deserializer<RecentOutcomes> deserializer = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                ByteBuffer in = ByteBuffer.wrap(data);
                StoreFormat.requireVersion("RecentOutcomes", in.get(), VERSION, topic);
                int size = in.getInt();
                if (size < 0 || size * (long) BUCKET_BYTES != in.remaining()) {
                    throw new SerializationException("RecentOutcomes record of topic " + topic + " claims " + size
                            + " buckets in " + in.remaining() + " bytes");
                }
                RecentOutcomes outcomes = new RecentOutcomes(Math.max(size, 1));
                for (int i = 0; i < size; i++) {
                    outcomes.starts[i] = in.getLong();
                    outcomes.requests[i] = in.getLong();
                    outcomes.errors[i] = in.getLong();
                    outcomes.latencySums[i] = in.getDouble();
                }
                outcomes.size = size;
                return outcomes;
            } catch (BufferUnderflowException e) {
                throw new SerializationException("RecentOutcomes record of topic " + topic + " is truncated: "
                        + data.length + " bytes", e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
