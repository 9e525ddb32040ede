package io.inferpulse.streams.score;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary form of {@link EndpointSample} in the sample store and its changelog. The store is internal
 * to the job, so a fixed layout needs no schema registry:
 *
 * <pre>
 * byte    format version (1)
 * int64   sample time, epoch ms
 * byte    which gauges follow: bit 0 kv, bit 1 waiting, bit 2 running
 * float64 each gauge present, in that order
 * int32   max LoRA adapters (0: no LoRA information)
 * int32   adapter count, then each adapter
 * 5 x     cluster, namespace, pool, pod, address
 * </pre>
 *
 * Strings are {@link DataOutputStream#writeUTF} (length-prefixed, at most 65535 bytes). A new layout
 * takes a new version byte and keeps reading the old one: a restoring instance reads the changelog
 * the previous release wrote.
 */
final class EndpointSampleSerde {
    static final byte VERSION = 1;

    private static final int KV = 1;
    private static final int WAITING = 1 << 1;
    private static final int RUNNING = 1 << 2;

    private EndpointSampleSerde() {}

    static Serde<EndpointSample> serde() {
        Serializer<EndpointSample> serializer = (topic, sample) -> sample == null ? null : write(topic, sample);
        Deserializer<EndpointSample> deserializer = (topic, data) -> data == null ? null : read(topic, data);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static byte[] write(String topic, EndpointSample s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(s.sampleTimeMs());
            out.writeByte((s.kv() != null ? KV : 0) | (s.waiting() != null ? WAITING : 0) | (s.running() != null ? RUNNING : 0));
            for (Double gauge : new Double[] {s.kv(), s.waiting(), s.running()}) {
                if (gauge != null) {
                    out.writeDouble(gauge);
                }
            }
            out.writeInt(s.maxLora());
            out.writeInt(s.loraAdapters().size());
            for (String adapter : s.loraAdapters()) {
                out.writeUTF(adapter);
            }
            for (String name : new String[] {s.cluster(), s.namespace(), s.pool(), s.pod(), s.address()}) {
                out.writeUTF(name);
            }
        } catch (UTFDataFormatException e) {
            throw new SerializationException("A name of endpoint " + s.address() + " is longer than 65535 bytes (" + topic + ")", e);
        } catch (IOException e) {
            throw new SerializationException("Cannot encode the sample of endpoint " + s.address() + " for " + topic, e);
        }
        return bytes.toByteArray();
    }

    private static EndpointSample read(String topic, byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            StoreFormat.requireVersion("EndpointSample", in.readByte(), VERSION, topic);
            long sampleTimeMs = in.readLong();
            int flags = in.readByte();
            Double kv = (flags & KV) != 0 ? in.readDouble() : null;
            Double waiting = (flags & WAITING) != 0 ? in.readDouble() : null;
            Double running = (flags & RUNNING) != 0 ? in.readDouble() : null;
            int maxLora = in.readInt();
            int adapterCount = in.readInt();
            if (adapterCount < 0 || adapterCount > data.length) {
                throw new SerializationException("EndpointSample record of topic " + topic + " claims " + adapterCount + " adapters");
            }
            List<String> adapters = new ArrayList<>(adapterCount);
            for (int i = 0; i < adapterCount; i++) {
                adapters.add(in.readUTF());
            }
            EndpointSample sample = new EndpointSample(sampleTimeMs, kv, waiting, running, maxLora, adapters, in.readUTF(),
                    in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
            if (in.available() > 0) {
                throw new SerializationException("EndpointSample record of topic " + topic + " has " + in.available()
                        + " bytes after its last field");
            }
            return sample;
        } catch (EOFException e) {
            throw new SerializationException("EndpointSample record of topic " + topic + " is truncated: " + data.length + " bytes", e);
        } catch (IOException e) {
            throw new SerializationException("EndpointSample record of topic " + topic + " is malformed: " + e.getMessage(), e);
        }
    }
}
