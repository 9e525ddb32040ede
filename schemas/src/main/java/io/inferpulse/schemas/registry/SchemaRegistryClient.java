package io.inferpulse.schemas.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API the serdes use. Implementations cache: a schema
 * registered or looked up once is never asked for again.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers the schema under the subject if it is new there, and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema with this global id. */
    Schema schemaById(int id);

    @Override
    default void close() {}
}
