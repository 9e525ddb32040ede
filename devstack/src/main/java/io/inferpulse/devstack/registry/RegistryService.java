package io.inferpulse.devstack.registry;

import io.inferpulse.devstack.registry.StoredRecord.ConfigChange;
import io.inferpulse.devstack.registry.StoredRecord.SchemaVersion;
import java.util.List;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * The registry's operations, in Confluent's terms and with its error codes. Reads go to the state
 * directly; writes are serialized, and each becomes visible only after the schemas topic holds it.
 */
final class RegistryService {
    private final RegistryState state;
    private final SchemaLog log;
    // Writers decide the next id and version from the state, so one writer at a time.
    private final Object writeLock = new Object();

    RegistryService(RegistryState state, SchemaLog log) {
        this.state = state;
        this.log = log;
    }

    /** The global id of the schema under the subject: the existing one when already registered there. */
    int register(String subject, Schema schema) {
        synchronized (writeLock) {
            List<SubjectVersion> versions = state.liveVersions(subject);
            Optional<Integer> knownId = state.idOf(schema);
            Optional<SubjectVersion> existing = versions.stream().filter(v -> knownId.equals(Optional.of(v.id()))).findFirst();
            if (existing.isPresent()) {
                return existing.get().id();
            }
            List<String> problems = level(subject).incompatibilities(schema, versions);
            if (!problems.isEmpty()) {
                throw RegistryException.incompatible(subject, problems);
            }
            SchemaVersion record = new SchemaVersion(subject, state.nextVersion(subject),
                    knownId.orElseGet(state::nextId), schema, false);
            log.append(record);
            state.apply(record);
            return record.id();
        }
    }

    SubjectVersion lookup(String subject, Schema schema) {
        List<SubjectVersion> versions = existingVersions(subject);
        Optional<Integer> id = state.idOf(schema);
        return versions.stream().filter(v -> id.equals(Optional.of(v.id()))).findFirst()
                .orElseThrow(() -> RegistryException.schemaNotFound("Schema"));
    }

    List<String> subjects() {
        return state.subjects();
    }

    List<SubjectVersion> versions(String subject) {
        return existingVersions(subject);
    }

    /** {@code version} is a number from 1, or {@code latest} (or -1, its alias in Confluent's API). */
    SubjectVersion version(String subject, String version) {
        boolean latest = isLatest(version);
        int number = latest ? -1 : versionNumber(version);
        List<SubjectVersion> versions = existingVersions(subject);
        if (latest) {
            return versions.getLast();
        }
        return versions.stream().filter(v -> v.version() == number).findFirst()
                .orElseThrow(() -> RegistryException.versionNotFound(number));
    }

    Schema schema(int id) {
        return state.schema(id).orElseThrow(() -> RegistryException.schemaNotFound("Schema " + id));
    }

    /**
     * Why the schema may not be registered as the next version (against {@code latest}, with the
     * subject's level and its transitivity), or may not follow one given version; empty when it may.
     */
    List<String> incompatibilities(String subject, String version, Schema schema) {
        List<SubjectVersion> against = isLatest(version) ? existingVersions(subject) : List.of(version(subject, version));
        return level(subject).incompatibilities(schema, against);
    }

    CompatibilityLevel globalLevel() {
        return state.globalLevel();
    }

    /** The subject's own level; with {@code defaultToGlobal}, the global one when it has none. */
    CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
        return state.subjectLevel(subject)
                .or(() -> defaultToGlobal ? Optional.of(state.globalLevel()) : Optional.empty())
                .orElseThrow(() -> RegistryException.noSubjectLevel(subject));
    }

    /** Sets the global level when the subject is empty. */
    void setLevel(Optional<String> subject, CompatibilityLevel level) {
        synchronized (writeLock) {
            ConfigChange record = new ConfigChange(subject, Optional.of(level));
            log.append(record);
            state.apply(record);
        }
    }

    static Schema parse(String schemaText) {
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (AvroRuntimeException e) { // SchemaParseException, or AvroTypeException for a bad default
            throw RegistryException.invalidSchema(e.getMessage());
        } catch (NullPointerException e) { // how Avro 1.12 reports a type name it cannot resolve
            throw RegistryException.invalidSchema("a type name does not resolve (" + e.getMessage() + ")");
        }
    }

    private CompatibilityLevel level(String subject) {
        return state.subjectLevel(subject).orElseGet(state::globalLevel);
    }

    private List<SubjectVersion> existingVersions(String subject) {
        List<SubjectVersion> versions = state.liveVersions(subject);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    private static boolean isLatest(String version) {
        return version.equals("latest") || version.equals("-1");
    }

    private static int versionNumber(String version) {
        try {
            int number = Integer.parseInt(version);
            if (number >= 1) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below, in Confluent's words
        }
        throw RegistryException.invalidVersion(version);
    }
}
