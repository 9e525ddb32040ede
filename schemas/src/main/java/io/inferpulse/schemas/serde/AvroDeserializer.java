package io.inferpulse.schemas.serde;

import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro into the generated class, resolving the writer's schema (looked
 * up once by id) against the class's schema, so records written with an older or newer compatible
 * schema still read.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.registry = registry;
        this.readerSchema = SpecificData.get().getSchema(type);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < WireFormat.HEADER_SIZE || data[0] != WireFormat.MAGIC_BYTE) {
            throw new SerializationException("Record of topic " + topic + " is not in the Confluent wire format: "
                    + (data.length < WireFormat.HEADER_SIZE ? "only " + data.length + " bytes" : "magic byte " + data[0]));
        }
        int id = ByteBuffer.wrap(data, 1, 4).getInt();
        try {
            return reader(id).read(null, DecoderFactory.get().binaryDecoder(
                    data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null));
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Could not look up schema id " + id + " for a record of topic "
                    + topic + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Could not read a " + readerSchema.getFullName()
                    + " with schema id " + id + " from topic " + topic + ": " + e.getMessage(), e);
        }
    }

    private SpecificDatumReader<T> reader(int id) {
        SpecificDatumReader<T> reader = readers.get(id);
        if (reader == null) {
            reader = new SpecificDatumReader<>(registry.schemaById(id), readerSchema);
            readers.put(id, reader);
        }
        return reader;
    }
}
