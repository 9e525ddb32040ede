package io.inferpulse.devstack.registry;

import io.inferpulse.devstack.registry.StoredRecord.ConfigChange;
import io.inferpulse.devstack.registry.StoredRecord.SchemaVersion;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * What the schemas topic says, folded into maps: the registry's only state, rebuilt from the
 * topic at start and changed only by records the broker has acknowledged.
 */
final class RegistryState {
    private final Map<String, TreeMap<Integer, SchemaVersion>> subjects = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    // Confluent identifies a schema by its canonical text: docs and defaults count, whitespace does not.
    private final Map<String, Integer> idsByCanonicalText = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.DEFAULT;
    private int maxId;

    synchronized void apply(StoredRecord record) {
        switch (record) {
            case SchemaVersion v -> {
                subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
                schemasById.putIfAbsent(v.id(), v.schema());
                idsByCanonicalText.putIfAbsent(v.schema().toString(), v.id());
                maxId = Math.max(maxId, v.id());
            }
            case ConfigChange c when c.subject().isPresent() -> c.level().ifPresentOrElse(
                    l -> subjectLevels.put(c.subject().get(), l), () -> subjectLevels.remove(c.subject().get()));
            case ConfigChange c -> globalLevel = c.level().orElse(CompatibilityLevel.DEFAULT);
        }
    }

    /** Subjects with at least one version not deleted, sorted. */
    synchronized List<String> subjects() {
        return subjects.keySet().stream().filter(s -> !liveVersions(s).isEmpty()).sorted().toList();
    }

    /** The versions of the subject not deleted, oldest first; empty for an unknown subject. */
    synchronized List<SubjectVersion> liveVersions(String subject) {
        return subjects.getOrDefault(subject, new TreeMap<>()).values().stream()
                .filter(v -> !v.deleted())
                .map(v -> new SubjectVersion(v.subject(), v.version(), v.id(), v.schema()))
                .toList();
    }

    synchronized Optional<Schema> schema(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    /** The global id of this schema under any subject. */
    synchronized Optional<Integer> idOf(Schema schema) {
        return Optional.ofNullable(idsByCanonicalText.get(schema.toString()));
    }

    synchronized int nextId() {
        return maxId + 1;
    }

    /** Deleted versions count: Confluent never gives a version number twice. */
    synchronized int nextVersion(String subject) {
        TreeMap<Integer, SchemaVersion> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 1 : versions.lastKey() + 1;
    }

    synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    synchronized int schemaCount() {
        return schemasById.size();
    }
}
