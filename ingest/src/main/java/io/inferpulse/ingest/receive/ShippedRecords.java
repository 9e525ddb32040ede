package io.inferpulse.ingest.receive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a request body from a log shipper into access-log lines.
 *
 * <ul>
 *   <li>Newline-delimited records: Fluent Bit's {@code http} output with {@code format json_lines},
 *       Vector's {@code http} sink with {@code codec json} and {@code framing newline_delimited},
 *       or plain text lines ({@code curl --data-binary @access.log}).
 *   <li>A JSON array of records: Fluent Bit's {@code format json}. A body that starts with
 *       {@code [} but is not a well-formed array is read as lines instead, because Envoy's default
 *       text format starts every line with {@code [START_TIME]}.
 * </ul>
 *
 * <p>Shippers wrap a line they did not parse into a record: Fluent Bit's tail input puts it under
 * {@code log} (and adds {@code date}), Vector's file source under {@code message}. A record that
 * is a JSON object with a string field of one of the configured envelope names is replaced by that
 * string; any other record is the line itself, so a GCP load-balancer {@code LogEntry} a shipper
 * parsed as JSON reaches the parser whole.
 */
final class ShippedRecords {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    private final List<String> envelopeFields;
    private final List<byte[]> envelopeNeedles;
    private final int maxLineBytes;

    ShippedRecords(List<String> envelopeFields, int maxLineBytes) {
        this.envelopeFields = List.copyOf(envelopeFields);
        this.envelopeNeedles = envelopeFields.stream()
                .map(f -> ('"' + f + '"').getBytes(StandardCharsets.UTF_8)).toList();
        this.maxLineBytes = maxLineBytes;
    }

    /** The lines of a body, each with the attributes given plus its position ({@code record}, counted from 1). */
    List<RawLine> split(byte[] body, String source, Map<String, String> attributes) {
        List<byte[]> records = null;
        List<Long> sizes = null;
        if (startsWithBracket(body)) {
            records = arrayElements(body);
        }
        if (records == null) {
            records = new ArrayList<>();
            sizes = new ArrayList<>();
            List<byte[]> lines = records;
            List<Long> lineSizes = sizes;
            LineSplitter.Sink sink = (bytes, size, end) -> {
                if (!LineSplitter.isBlank(bytes)) {
                    lines.add(bytes);
                    lineSizes.add(size);
                }
                return true;
            };
            LineSplitter splitter = new LineSplitter(maxLineBytes, 0);
            splitter.feed(body, 0, body.length, sink);
            splitter.finish(sink);
        }
        List<RawLine> result = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            Map<String, String> where = new HashMap<>(attributes);
            where.put("record", String.valueOf(i + 1));
            byte[] record = records.get(i);
            long size = sizes == null ? record.length : sizes.get(i);
            byte[] line = size > record.length ? null : unwrap(record);
            result.add(line == null ? new RawLine(record, size, source, where) : new RawLine(line, source, where));
        }
        return result;
    }

    private static boolean startsWithBracket(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return b == '[';
            }
        }
        return false;
    }

    /** The elements' bytes exactly as sent, or null when the body is not one well-formed JSON array. */
    private static List<byte[]> arrayElements(byte[] body) {
        List<byte[]> elements = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    return null;
                }
                if (token == JsonToken.VALUE_STRING) {
                    elements.add(parser.getText().getBytes(StandardCharsets.UTF_8));
                    continue;
                }
                int start = (int) parser.currentTokenLocation().getByteOffset();
                parser.skipChildren();
                int end = (int) parser.currentLocation().getByteOffset();
                elements.add(Arrays.copyOfRange(body, start, end));
            }
            return parser.nextToken() == null ? elements : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The wrapped line, or null when the record is not an envelope. */
    private byte[] unwrap(byte[] record) {
        if (envelopeFields.isEmpty() || record.length == 0 || record[0] != '{' || !containsAny(record)) {
            return null;
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(record);
        } catch (IOException e) {
            return null; // not JSON after all: the parser will say what is wrong with it
        }
        for (String field : envelopeFields) {
            JsonNode value = node.get(field);
            if (value != null && value.isTextual()) {
                String line = value.textValue();
                // Docker's json-file driver keeps the line break in "log"
                int end = line.endsWith("\r\n") ? line.length() - 2 : line.endsWith("\n") ? line.length() - 1 : line.length();
                return line.substring(0, end).getBytes(StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** A cheap test that spares parsing the records that cannot be envelopes, which is most of them. */
    private boolean containsAny(byte[] record) {
        for (byte[] needle : envelopeNeedles) {
            if (indexOf(record, needle) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
