package io.inferpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain JSON of an Avro record, as a person reads it: field names as in the schema, times in
 * ISO-8601, no union wrappers. Avro's own JSON encoding wraps every nullable value, which is exact
 * but hard to read in a terminal.
 */
final class AvroJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {}

    static String write(SpecificRecord record) {
        try {
            return MAPPER.writeValueAsString(node(record));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Could not render " + record.getSchema().getFullName() + " as JSON", e);
        }
    }

    static ObjectNode node(SpecificRecord record) {
        ObjectNode node = NODES.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            node.set(field.name(), value(record.get(field.pos())));
        }
        return node;
    }

    private static JsonNode value(Object value) {
        return switch (value) {
            case null -> NODES.nullNode();
            case SpecificRecord r -> node(r);
            case CharSequence s -> NODES.textNode(s.toString());
            case Instant i -> NODES.textNode(i.toString());
            case Integer i -> NODES.numberNode(i);
            case Long l -> NODES.numberNode(l);
            case Double d -> d.isNaN() || d.isInfinite() ? NODES.textNode(d.toString()) : NODES.numberNode(d);
            case Boolean b -> NODES.booleanNode(b);
            case Enum<?> e -> NODES.textNode(e.name());
            case GenericEnumSymbol<?> e -> NODES.textNode(e.toString());
            case ByteBuffer b -> NODES.textNode(Base64.getEncoder().encodeToString(bytes(b)));
            case Map<?, ?> m -> {
                ObjectNode object = NODES.objectNode();
                m.forEach((k, v) -> object.set(k.toString(), value(v)));
                yield object;
            }
            case Collection<?> c -> {
                ArrayNode array = NODES.arrayNode();
                c.forEach(v -> array.add(value(v)));
                yield array;
            }
            default -> NODES.textNode(value.toString());
        };
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
