package io.inferpulse.schemas.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API the serdes use. Implementations cache: a schema
 * registered or looked up once is never asked for again.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers the schema under the subject if it is new there, and returns its global id. */
    int register(String subject, Schema schema);

    /**
     * Finds the schema among the versions of the subject without registering it: what a producer
     * that may not register schemas ({@code auto.register.schemas=false}) does.
     *
     * @throws SchemaRegistryException with error code 40401 (no such subject) or 40403 (not registered there)
     */
    RegisteredSchema lookup(String subject, Schema schema);

    /** The schema with this global id. */
    Schema schemaById(int id);

    @Override
    default void close() {}
}
