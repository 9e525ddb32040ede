package io.inferpulse.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A registry held in memory, selected with {@code schema.registry.url=mock://<scope>} as with
 * Confluent's serdes: for topology tests that run without a broker or a registry. Clients that
 * name the same scope share one registry. It checks no compatibility.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
    private static final Map<String, InMemorySchemaRegistryClient> SCOPES = new ConcurrentHashMap<>();

    private final Map<Schema, Integer> ids = new HashMap<>();
    private final Map<Integer, Schema> schemas = new HashMap<>();
    private final Map<String, List<Schema>> versions = new HashMap<>();

    public static InMemorySchemaRegistryClient forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistryClient());
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Schema> subjectVersions = versions.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!subjectVersions.contains(schema)) {
            subjectVersions.add(schema);
        }
        // Ids are global as in Confluent's registry: the same schema under two subjects has one id.
        return ids.computeIfAbsent(schema, s -> {
            int id = schemas.size() + 1;
            schemas.put(id, s);
            return id;
        });
    }

    @Override
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        List<Schema> subjectVersions = versions.get(subject);
        if (subjectVersions == null) {
            throw new SchemaRegistryException(404, 40401, "Subject '" + subject + "' not found.");
        }
        int index = subjectVersions.indexOf(schema);
        if (index < 0) {
            throw new SchemaRegistryException(404, 40403, "Schema not found under subject '" + subject + "'");
        }
        return new RegisteredSchema(subject, index + 1, ids.get(schema));
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemas.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(404, 40403, "Schema " + id + " not found");
        }
        return schema;
    }
}
