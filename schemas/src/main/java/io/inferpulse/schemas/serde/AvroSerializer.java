package io.inferpulse.schemas.serde;

import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records in the Confluent wire format, registering the record's schema under the
 * topic's subject the first time it is seen. A registry failure surfaces as a
 * {@link SerializationException} whose cause is the {@link SchemaRegistryException}, so a producer
 * can tell an outage (retry the record) from a rejection.
 *
 * <p>Made by class name from a Kafka client's {@code value.serializer} / {@code key.serializer},
 * it reads the registry settings of {@link RegistryClientConfig#fromSerdeConfig} and
 * {@value #AUTO_REGISTER_SCHEMAS} (default true; false looks the schema up instead, for
 * registries where only a deployment pipeline may register).
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    private SchemaRegistryClient registry;
    private boolean isKey;
    private boolean autoRegister = true;
    private boolean ownsRegistry;
    private final Map<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Class<?>, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();

    // Keyed by schema too: records of several generated classes may share a topic.
    private record SubjectSchema(String subject, Schema schema) {}

    /** For Kafka clients that create serializers by class name; {@link #configure} must follow. */
    public AvroSerializer() {}

    /** Uses the given registry client, which stays open when this serializer closes. */
    public AvroSerializer(SchemaRegistryClient registry, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
    }

    /** Builds its own registry client from the configs, and closes it on {@link #close()}. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.autoRegister = booleanConfig(configs, AUTO_REGISTER_SCHEMAS, true);
        this.registry = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(configs));
        this.ownsRegistry = true;
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

    @Override
    public void close() {
        if (ownsRegistry) {
            registry.close();
        }
    }

    private int schemaId(String subject, T record) {
        SubjectSchema key = new SubjectSchema(subject, record.getSchema());
        Integer cached = ids.get(key);
        if (cached != null) {
            return cached;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer made without a registry client: call configure(...) first");
        }
        try {
            int id = autoRegister ? registry.register(subject, key.schema()) : registry.lookup(subject, key.schema()).id();
            ids.put(key, id);
            return id;
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Could not " + (autoRegister ? "register" : "look up") + " the schema of "
                    + key.schema().getFullName() + " under subject " + subject + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private SpecificDatumWriter<T> writer(T record) {
        return writers.computeIfAbsent(record.getClass(), c -> new SpecificDatumWriter<>((Class<T>) c));
    }

    private static boolean booleanConfig(Map<String, ?> configs, String key, boolean fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        return switch (String.valueOf(value).strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key, value, "expected true or false");
        };
    }
}
