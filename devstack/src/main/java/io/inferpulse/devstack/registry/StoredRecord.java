package io.inferpulse.devstack.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.AvroRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record of the schemas topic, in the JSON layout of Confluent's registry so either can read
 * the other's topic. Keys are written with a fixed field order: compaction keeps the last value
 * per key byte for byte, so one logical key must always give the same bytes.
 */
sealed interface StoredRecord {
    ObjectMapper JSON = new ObjectMapper();
    Logger LOG = LoggerFactory.getLogger(StoredRecord.class);

    String key();

    /** The value, or null for a tombstone. */
    String value();

    /** Version {@code version} of {@code subject} is the schema with global id {@code id}. */
    record SchemaVersion(String subject, int version, int id, Schema schema, boolean deleted) implements StoredRecord {
        @Override
        public String key() {
            return JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject)
                    .put("version", version).put("magic", 1).toString();
        }

        @Override
        public String value() {
            return JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id)
                    .put("schema", schema.toString()).put("deleted", deleted).toString();
        }
    }

    /** The compatibility level of one subject, or the global one when the subject is empty; an empty level removes it. */
    record ConfigChange(Optional<String> subject, Optional<CompatibilityLevel> level) implements StoredRecord {
        @Override
        public String key() {
            ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG");
            subject.ifPresentOrElse(s -> key.put("subject", s), () -> key.putNull("subject"));
            return key.put("magic", 0).toString();
        }

        @Override
        public String value() {
            return level.map(l -> JSON.createObjectNode().put("compatibilityLevel", l.name()).toString()).orElse(null);
        }
    }

    /**
     * The record, or empty for what this registry does not keep: other key types (NOOP, MODE,
     * DELETE_SUBJECT, ...), non-Avro schemas, schema tombstones (a hard delete always follows a
     * soft delete, whose deleted flag already hides the version) and unreadable records.
     */
    static Optional<StoredRecord> decode(String key, String value) {
        if (key == null) {
            return Optional.empty();
        }
        try {
            JsonNode k = JSON.readTree(key);
            JsonNode v = value == null ? null : JSON.readTree(value);
            return switch (k.path("keytype").asText()) {
                case "SCHEMA" -> v == null || !v.path("schemaType").asText("AVRO").equals("AVRO")
                        ? Optional.empty()
                        : Optional.of(new SchemaVersion(v.path("subject").asText(), v.path("version").asInt(),
                                v.path("id").asInt(), new Schema.Parser().parse(v.path("schema").asText()),
                                v.path("deleted").asBoolean(false)));
                case "CONFIG" -> {
                    Optional<String> subject = Optional.ofNullable(k.get("subject")).filter(JsonNode::isTextual).map(JsonNode::asText);
                    if (v == null) {
                        yield Optional.of(new ConfigChange(subject, Optional.empty()));
                    }
                    Optional<CompatibilityLevel> level = CompatibilityLevel.parse(v.path("compatibilityLevel").asText());
                    if (level.isEmpty()) {
                        LOG.warn("Skipping a config record with an unknown compatibility level: {}", value);
                    }
                    yield level.map(l -> new ConfigChange(subject, Optional.of(l)));
                }
                default -> Optional.empty();
            };
        } catch (JsonProcessingException | AvroRuntimeException | NullPointerException e) { // Avro 1.12: NPE for an unresolved name
            LOG.warn("Skipping an unreadable record of the schemas topic (key {}): {}", key, e.getMessage());
            return Optional.empty();
        }
    }
}
