package io.inferpulse.streams.pool;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary form of {@link PodGauges} in the per-pod store and its changelog. The store is internal to
 * this topology, so a fixed layout is cheaper than Avro and needs no schema registry:
 *
 * <pre>
 * byte    format version (1)
 * int64   sample time, epoch ms
 * byte    which gauges follow: bit 0 kv, bit 1 waiting, bit 2 running
 * float64 each gauge present, in that order
 * 3 x (uint16 length, UTF-8 bytes): cluster, namespace, pool
 * </pre>
 *
 * A new layout must take a new version byte and keep reading the old one, because the changelog
 * still holds records written by the previous release when an instance restores from it.
 */
final class PodGaugesSerde implements Serde<PodGauges> {
    static final byte VERSION = 1;

    private static final int KV = 1;
    private static final int WAITING = 1 << 1;
    private static final int RUNNING = 1 << 2;
    private static final int MAX_NAME_BYTES = 0xFFFF;

    private final Serializer<PodGauges> serializer = new PodGaugesSerializer();
    private final Deserializer<PodGauges> deserializer = new PodGaugesDeserializer();

    @Override
    public Serializer<PodGauges> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<PodGauges> deserializer() {
        return deserializer;
    }

    private static final class PodGaugesSerializer implements Serializer<PodGauges> {
        @Override
        public byte[] serialize(String topic, PodGauges gauges) {
            if (gauges == null) {
                return null;
            }
            byte[] cluster = utf8(gauges.cluster(), "cluster");
            byte[] namespace = utf8(gauges.namespace(), "namespace");
            byte[] pool = utf8(gauges.pool(), "pool");
            int flags = (gauges.kv() != null ? KV : 0)
                    | (gauges.waiting() != null ? WAITING : 0)
                    | (gauges.running() != null ? RUNNING : 0);
            int size = 1 + Long.BYTES + 1 + Integer.bitCount(flags) * Double.BYTES
                    + 3 * Short.BYTES + cluster.length + namespace.length + pool.length;
            ByteBuffer out = ByteBuffer.allocate(size);
            out.put(VERSION).putLong(gauges.sampleTimeMs()).put((byte) flags);
            if (gauges.kv() != null) {
                out.putDouble(gauges.kv());
            }
            if (gauges.waiting() != null) {
                out.putDouble(gauges.waiting());
            }
            if (gauges.running() != null) {
                out.putDouble(gauges.running());
            }
            putName(out, cluster);
            putName(out, namespace);
            putName(out, pool);
            return out.array();
        }

        private static byte[] utf8(String name, String field) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > MAX_NAME_BYTES) {
                throw new SerializationException("PodGauges." + field + " is " + bytes.length
                        + " bytes in UTF-8; at most " + MAX_NAME_BYTES + " fit");
            }
            return bytes;
        }

        private static void putName(ByteBuffer out, byte[] name) {
            out.putShort((short) name.length).put(name);
        }
    }

    private static final class PodGaugesDeserializer implements Deserializer<PodGauges> {
        @Override
        public PodGauges deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            try {
                ByteBuffer in = ByteBuffer.wrap(data);
                byte version = in.get();
                if (version != VERSION) {
                    throw new SerializationException("PodGauges format version " + version
                            + " is unknown (topic " + topic + "); this release reads version " + VERSION);
                }
                long sampleTimeMs = in.getLong();
                int flags = in.get();
                Double kv = (flags & KV) != 0 ? in.getDouble() : null;
                Double waiting = (flags & WAITING) != 0 ? in.getDouble() : null;
                Double running = (flags & RUNNING) != 0 ? in.getDouble() : null;
                String cluster = getName(in);
                String namespace = getName(in);
                String pool = getName(in);
                if (in.hasRemaining()) {
                    throw new SerializationException("PodGauges record of topic " + topic + " has "
                            + in.remaining() + " bytes after its last field");
                }
                return new PodGauges(sampleTimeMs, kv, waiting, running, cluster, namespace, pool);
            } catch (BufferUnderflowException e) {
                throw new SerializationException("PodGauges record of topic " + topic + " is truncated: "
                        + data.length + " bytes", e);
            }
        }

        private static String getName(ByteBuffer in) {
            int length = Short.toUnsignedInt(in.getShort());
            if (length > in.remaining()) {
                throw new BufferUnderflowException();
            }
            String name = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
            in.position(in.position() + length);
            return name;
        }
    }
}
