package io.inferpulse.schemas.serde;

import io.inferpulse.schemas.registry.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Makes serdes for generated Avro classes that share one registry client and so one cache. */
public final class AvroSerdes {
    private final SchemaRegistryClient registry;

    public AvroSerdes(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    /** A serde for values of the given generated class. Closing it leaves the registry client open. */
    public <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type) {
        return Serdes.serdeFrom(new AvroSerializer<>(registry, false), new AvroDeserializer<>(registry, type));
    }

    public SchemaRegistryClient registry() {
        return registry;
    }
}
