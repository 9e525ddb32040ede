package io.inferpulse.ingest.receive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShippedRecordsTest {
    private final ShippedRecords records = new ShippedRecords(List.of("log", "message"), 1024);

    @Test
    void shouldSplitNewlineDelimitedRecordsSkippingBlankLines() {
        // given Vector's newline_delimited framing, with a blank line and no final newline
        String body = "{\"a\":1}\n\n{\"b\":2}\r\n  \n{\"c\":3}";

        // then
        List<RawLine> lines = split(body);
        assertThat(texts(lines)).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
        assertThat(lines).extracting(l -> l.attributes().get("record")).containsExactly("1", "2", "3");
        assertThat(lines.get(0).source()).isEqualTo("http:10.0.0.1");
        assertThat(lines.get(0).attributes()).containsEntry("remote", "/10.0.0.1:5000");
    }

    @Test
    void shouldTakeTheElementsOfAJsonArrayByteForByte() {
        // given Fluent Bit's format json: one array, records with nested objects and odd spacing
        String body = " [ {\"date\":1.5, \"n\":{\"x\":[1,2]}} ,\n{\"y\":\"]\"} ]\n";

        // then each element is exactly as sent
        assertThat(texts(split(body))).containsExactly("{\"date\":1.5, \"n\":{\"x\":[1,2]}}", "{\"y\":\"]\"}");
    }

    @Test
    void shouldReadEnvoyTextLinesAsLinesAlthoughTheyStartWithABracket() {
        // given Envoy's default format, which begins with [START_TIME]
        String body = "[2025-06-01T12:00:00.000Z] \"POST /v1/completions HTTP/1.1\" 200 - 10 20 5 4 \"-\" \"curl\" \"id-1\" \"gw\" \"10.0.0.2:8000\"\n"
                + "[2025-06-01T12:00:01.000Z] \"POST /v1/completions HTTP/1.1\" 503 UF 10 0 1 - \"-\" \"curl\" \"id-2\" \"gw\" \"-\"\n";

        // then
        assertThat(texts(split(body))).hasSize(2).allMatch(l -> l.startsWith("[2025-06-01T12:00:0"));
    }

    @Test
    void shouldUnwrapTheLineAShipperPutUnderLogOrMessage() {
        // given a Fluent Bit tail record (json_lines adds "date"), a Docker json-file record and a Vector file record
        String body = "{\"date\":1717243200.0,\"log\":\"GET / 200\"}\n"
                + "{\"log\":\"with newline\\n\",\"stream\":\"stdout\"}\n"
                + "{\"file\":\"/var/log/a.log\",\"message\":\"{\\\"pool\\\":\\\"p\\\"}\",\"source_type\":\"file\"}\n";

        // then the lines inside are what the parser gets
        assertThat(texts(split(body))).containsExactly("GET / 200", "with newline", "{\"pool\":\"p\"}");
    }

    @Test
    void shouldLeaveRecordsThatAreNotEnvelopesWhole() {
        // given a GCP LogEntry (logName is not log), a record whose log is not a string, and a non-JSON line mentioning "log"
        String entry = "{\"insertId\":\"x\",\"logName\":\"projects/p/logs/requests\",\"jsonPayload\":{\"message\":\"inner\"}}";
        String notText = "{\"log\":{\"nested\":true}}";
        String text = "{\"log\" is not json";

        // then
        assertThat(texts(split(entry + "\n" + notText + "\n" + text))).containsExactly(entry, notText, text);
    }

    @Test
    void shouldReportTheFullSizeOfALineOverTheLimit() {
        // given a line of 5000 bytes and a limit of 1024
        String body = "x".repeat(5000) + "\nshort\n";

        // then the pipeline can reject it with its real size
        List<RawLine> lines = split(body);
        assertThat(lines.get(0).size()).isEqualTo(5000);
        assertThat(lines.get(0).bytes()).hasSize(1024);
        assertThat(texts(lines.subList(1, 2))).containsExactly("short");
    }

    private List<RawLine> split(String body) {
        return records.split(body.getBytes(StandardCharsets.UTF_8), "http:10.0.0.1", Map.of("remote", "/10.0.0.1:5000"));
    }

    private static List<String> texts(List<RawLine> lines) {
        return lines.stream().map(l -> new String(l.bytes(), StandardCharsets.UTF_8)).toList();
    }
}
