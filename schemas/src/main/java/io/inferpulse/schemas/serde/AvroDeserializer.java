package io.inferpulse.schemas.serde;

import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
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
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro into the generated class, resolving the writer's schema (looked
 * up once by id) against the class's schema, so records written with an older or newer compatible
 * schema still read.
 *
 * <p>Made by class name from a Kafka client's {@code value.deserializer} / {@code key.deserializer},
 * it reads the registry settings of {@link RegistryClientConfig#fromSerdeConfig} and the generated
 * class from {@value #SPECIFIC_AVRO_VALUE_TYPE} / {@value #SPECIFIC_AVRO_KEY_TYPE}. Without one, each
 * record is read with its writer's schema into the generated class of the same full name.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";

    private SchemaRegistryClient registry;
    /** Null when no class was named: each record is read with its writer's schema. */
    private Schema readerSchema;
    private boolean ownsRegistry;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    /** For Kafka clients that create deserializers by class name; {@link #configure} must follow. */
    public AvroDeserializer() {}

    /** Uses the given registry client, which stays open when this deserializer closes. */
    public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.registry = registry;
        this.readerSchema = SpecificData.get().getSchema(type);
    }

    /** Builds its own registry client from the configs, and closes it on {@link #close()}. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        String typeKey = isKey ? SPECIFIC_AVRO_KEY_TYPE : SPECIFIC_AVRO_VALUE_TYPE;
        Object type = configs.get(typeKey);
        this.readerSchema = type == null ? null : SpecificData.get().getSchema(specificClass(typeKey, type));
        this.registry = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(configs));
        this.ownsRegistry = true;
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
        SpecificDatumReader<T> reader = reader(topic, id);
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(
                    data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Could not read a " + reader.getExpected().getFullName()
                    + " with schema id " + id + " from topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (ownsRegistry) {
            registry.close();
        }
    }

    private SpecificDatumReader<T> reader(String topic, int id) {
        SpecificDatumReader<T> reader = readers.get(id);
        if (reader != null) {
            return reader;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer made without a registry client: call configure(...) first");
        }
        Schema writerSchema;
        try {
            writerSchema = registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Could not look up schema id " + id + " for a record of topic "
                    + topic + ": " + e.getMessage(), e);
        }
        if (readerSchema == null && SpecificData.get().getClass(writerSchema) == null) {
            throw new SerializationException("No generated class " + writerSchema.getFullName() + " for schema id " + id
                    + " of topic " + topic + "; name the class to read into with " + SPECIFIC_AVRO_VALUE_TYPE
                    + " or " + SPECIFIC_AVRO_KEY_TYPE);
        }
        reader = new SpecificDatumReader<>(writerSchema, readerSchema != null ? readerSchema : writerSchema);
        readers.put(id, reader);
        return reader;
    }

    private static Class<?> specificClass(String key, Object value) {
        Class<?> type;
        if (value instanceof Class<?> c) {
            type = c;
        } else {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            try {
                type = Class.forName(String.valueOf(value).strip(), true,
                        context != null ? context : AvroDeserializer.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ConfigException(key, value, "class not found");
            }
        }
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new ConfigException(key, value, "not a class generated from an Avro schema (SpecificRecord)");
        }
        return type;
    }
}
