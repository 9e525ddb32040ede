package io.inferpulse.schemas.registry;

/**
 * Where a schema sits in a registry: its version under one subject and its global id.
 *
 * @param subject the subject, for example {@code inferpulse.pod-metrics-value}
 * @param version the schema's version under that subject, from 1
 * @param id the global id written into every record in the wire format
 */
public record RegisteredSchema(String subject, int version, int id) {}
