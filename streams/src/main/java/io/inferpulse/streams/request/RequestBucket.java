package io.inferpulse.streams.request;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The requests of one series in one evaluation interval: counts, token sums and a latency sketch.
 * Mutable, because a bucket absorbs every record of its interval.
 *
 * <p>The sketch keeps at most {@value #MAX_BINS} bins and collapses the lowest ones beyond that. At
 * 1 % accuracy that many bins span a factor of about 10^17 between the smallest and largest latency,
 * so no real latency range ever collapses and every quantile keeps its guarantee, while a bucket fed
 * garbage still cannot exceed 16 KiB. An unbounded store would give the same answers without the cap.
 */
final class RequestBucket {
    static final int MAX_BINS = 2048;
    private static final byte VERSION = 1;

    private long count;
    private long errors;
    private long inputTokens;
    private long outputTokens;
    private final DDSketch latency;

    private RequestBucket(DDSketch latency) {
        this.latency = latency;
    }

    static RequestBucket empty(double relativeAccuracy) {
        return new RequestBucket(DDSketches.collapsingLowestDense(relativeAccuracy, MAX_BINS));
    }

    void add(boolean error, double latencySeconds, Long input, Long output) {
        count++;
        if (error) {
            errors++;
        }
        if (input != null) {
            inputTokens += input;
        }
        if (output != null) {
            outputTokens += output;
        }
        latency.accept(latencySeconds);
    }

    void mergeInto(RequestBucket total) {
        total.count += count;
        total.errors += errors;
        total.inputTokens += inputTokens;
        total.outputTokens += outputTokens;
        total.latency.mergeWith(latency);
    }

    long count() {
        return count;
    }

    long errors() {
        return errors;
    }

    long inputTokens() {
        return inputTokens;
    }

    long outputTokens() {
        return outputTokens;
    }

    /** The latency at quantile q; the bucket must not be empty. */
    double latencyAt(double q) {
        return latency.getValueAtQuantile(q);
    }

    /**
     * Store layout: version byte, four little-endian int64 (count, errors, input tokens, output
     * tokens), then the sketch in DDSketch's own encoding ({@code encode}/{@code decode}, not its
     * protobuf-format {@code serialize}), which carries the index mapping.
     */
    static Serde<RequestBucket> serde() {
        Serializer<RequestBucket> serializer = (topic, bucket) -> {
            if (bucket == null) {
                return null;
            }
            GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(256);
            out.writeByte(VERSION);
            out.writeLongLE(bucket.count);
            out.writeLongLE(bucket.errors);
            out.writeLongLE(bucket.inputTokens);
            out.writeLongLE(bucket.outputTokens);
            try {
                bucket.latency.encode(out, false);
            } catch (IOException e) {
                throw new SerializationException("Cannot encode the latency sketch of a RequestBucket for " + topic, e);
            }
            return out.trimmedCopy();
        };
        Deserializer<RequestBucket> deserializer = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                byte version = in.get();
                if (version != VERSION) {
                    throw new SerializationException("RequestBucket format version " + version + " is unknown (topic "
                            + topic + "); this release reads version " + VERSION);
                }
                long count = in.getLong();
                long errors = in.getLong();
                long input = in.getLong();
                long output = in.getLong();
                DDSketch sketch = DDSketch.decode(ByteArrayInput.wrap(data, in.position(), in.remaining()),
                        () -> new CollapsingLowestDenseStore(MAX_BINS));
                RequestBucket bucket = new RequestBucket(sketch);
                bucket.count = count;
                bucket.errors = errors;
                bucket.inputTokens = input;
                bucket.outputTokens = output;
                return bucket;
            } catch (BufferUnderflowException | IOException e) {
                throw new SerializationException("RequestBucket record of topic " + topic + " is malformed ("
                        + data.length + " bytes): " + e.getMessage(), e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
