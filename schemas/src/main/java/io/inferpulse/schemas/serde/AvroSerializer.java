package io.inferpulse.schemas.serde;

import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records in the Confluent wire format, registering the record's schema under the
 * topic's subject the first time it is seen. A registry failure surfaces as a
 * {@link SerializationException} whose cause is the {@link SchemaRegistryException}, so a producer
 * can tell an outage (retry the record) from a rejection.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    private final SchemaRegistryClient registry;
    private final boolean isKey;
    private final Map<String, Integer> idBySubject = new ConcurrentHashMap<>();
    private final Map<Class<?>, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();

    public AvroSerializer(SchemaRegistryClient registry, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        String subject = WireFormat.subject(topic, isKey);
        int id = schemaId(subject, record);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(WireFormat.MAGIC_BYTE);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer(record).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Could not write " + record.getSchema().getFullName()
                    + " for topic " + topic + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private int schemaId(String subject, T record) {
        Integer cached = idBySubject.get(subject);
        if (cached != null) {
            return cached;
        }
        try {
            int id = registry.register(subject, record.getSchema());
            idBySubject.put(subject, id);
            return id;
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Could not register the schema of "
                    + record.getSchema().getFullName() + " under subject " + subject + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private SpecificDatumWriter<T> writer(T record) {
        return writers.computeIfAbsent(record.getClass(), c -> new SpecificDatumWriter<>((Class<T>) c));
    }
}
