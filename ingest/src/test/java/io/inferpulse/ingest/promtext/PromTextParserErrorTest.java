package io.inferpulse.ingest.promtext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PromTextParserErrorTest {

    @Test
    void shouldReportMissingEqualsWithLineColumnAndExcerpt() {
        PromTextParseException e = failure("""
                # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{model_name "x"} 3
                """);

        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(38);
        assertThat(e.reason()).isEqualTo("expected '=' after label name \"model_name\"");
        assertThat(e.excerpt()).isEqualTo("vllm:num_requests_waiting{model_name \"x\"} 3");
        assertThat(e).hasMessage("line 3, column 38: expected '=' after label name \"model_name\""
                + " in: vllm:num_requests_waiting{model_name \"x\"} 3");
    }

    @Test
    void shouldCountBlankAndCommentLinesInLineNumbers() {
        assertError("\n# comment\n\nm 1\nbad line\n", 5, 5, "invalid sample value \"line\": not a number");
    }

    @Test
    void shouldRejectDuplicateLabelName() {
        assertError("m{a=\"1\",b=\"2\",a=\"3\"} 1\n", 1, 15, "duplicate label name \"a\"");
    }

    @Test
    void shouldRejectDuplicateLabelNameAmongManyLabels() {
        String labels = IntStream.range(0, 40).mapToObj(i -> "l" + i + "=\"v\"").collect(Collectors.joining(","));
        String line = "m{" + labels + ",l33=\"again\"} 1";

        assertError(line + "\n", 1, line.indexOf("l33=\"again\"") + 1, "duplicate label name \"l33\"");
    }

    @Test
    void shouldRejectInvalidCharacterInMetricName() {
        assertError("foo-bar 1\n", 1, 4, "invalid character '-' in metric name \"foo\"");
    }

    @Test
    void shouldRejectMetricNameStartingWithDigit() {
        assertError("1foo 1\n", 1, 1, "expected a metric name or '#', found '1'");
    }

    @Test
    void shouldRejectQuotedMetricNames() {
        assertError("{\"my.metric\"} 1\n", 1, 1, "expected a metric name or '#', found '{'");
    }

    @Test
    void shouldRejectInvalidCharacterInLabelName() {
        assertError("m{mo-del=\"x\"} 1\n", 1, 5, "invalid character '-' in label name \"mo\"");
    }

    @Test
    void shouldRejectColonInLabelName() {
        assertError("m{a:b=\"x\"} 1\n", 1, 4, "invalid character ':' in label name \"a\"");
    }

    @Test
    void shouldRejectLabelNameStartingWithDigit() {
        assertError("m{1a=\"x\"} 1\n", 1, 3, "expected a label name or '}', found '1'");
    }

    @Test
    void shouldRejectUnquotedLabelValue() {
        assertError("m{a=x} 1\n", 1, 5, "expected '\"' to open the value of label \"a\", found 'x'");
    }

    @Test
    void shouldRejectUnterminatedLabelValue() {
        assertError("m{a=\"x} 1\n", 1, 10, "missing '\"' to close the value of label \"a\"");
    }

    @Test
    void shouldRejectRawNewlineInLabelValue() {
        assertError("m{a=\"x\ny\"} 1\n", 1, 7, "missing '\"' to close the value of label \"a\"");
    }

    @Test
    void shouldRejectLabelsWithoutComma() {
        assertError("m{a=\"x\" b=\"y\"} 1\n", 1, 9, "expected ',' or '}' after the value of label \"a\", found 'b'");
    }

    @Test
    void shouldRejectMissingClosingBrace() {
        assertError("m{a=\"x\"", 1, 8, "expected ',' or '}' after the value of label \"a\", found end of input");
    }

    @Test
    void shouldRejectLabelSetCutAfterComma() {
        assertError("m{a=\"x\",\n", 1, 9, "missing '}' to close the labels of m");
    }

    @Test
    void shouldRejectMissingValue() {
        assertError("m{a=\"x\"}\n", 1, 9, "expected a value for m, found end of line");
        assertError("m\n", 1, 2, "expected a value for m, found end of line");
    }

    @Test
    void shouldRejectInvalidValue() {
        assertError("m 12abc\n", 1, 3, "invalid sample value \"12abc\": unexpected character 'a'");
    }

    @Test
    void shouldRejectHexValue() {
        assertError("m 0x1F\n", 1, 3, "invalid sample value \"0x1F\": unexpected character 'x'");
    }

    @Test
    void shouldRejectSignedNaN() {
        assertError("m -NaN\n", 1, 3, "invalid sample value \"-NaN\": not a number");
    }

    @Test
    void shouldRejectExponentWithoutDigits() {
        assertError("m 1e\n", 1, 3, "invalid sample value \"1e\": exponent has no digits");
    }

    @Test
    void shouldRejectValueOutOfRange() {
        assertError("m 1e400\n", 1, 3, "invalid sample value \"1e400\": value out of range");
    }

    @Test
    void shouldRejectCarriageReturnLineEndings() {
        assertError("m 1\r\n", 1, 3, "invalid sample value \"1\\u000d\": unexpected character U+000D");
    }

    @Test
    void shouldRejectFractionalTimestamp() {
        assertError("m 1 1.5\n", 1, 5,
                "invalid timestamp \"1.5\": timestamps are integer milliseconds, unexpected character '.'");
    }

    @Test
    void shouldRejectNegativeTimestamp() {
        assertError("m 1 -5\n", 1, 5,
                "invalid timestamp \"-5\": timestamps are integer milliseconds, unexpected character '-'");
    }

    @Test
    void shouldRejectTimestampOutOfRange() {
        assertError("m 1 99999999999999999999\n", 1, 5, "invalid timestamp \"99999999999999999999\": timestamp out of range");
    }

    @Test
    void shouldRejectTextAfterTimestamp() {
        assertError("m 1 2 3\n", 1, 7, "unexpected text after the timestamp");
    }

    @Test
    void shouldRejectUnknownMetricType() {
        assertError("# TYPE m widget\n", 1, 10, "unknown metric type \"widget\"");
    }

    @Test
    void shouldRejectMetricTypeInWrongCase() {
        assertError("# TYPE m COUNTER\n", 1, 10, "unknown metric type \"COUNTER\"");
    }

    @Test
    void shouldRejectTypeWithoutMetricType() {
        assertError("# TYPE m\n", 1, 9, "expected a metric type after TYPE m");
    }

    @Test
    void shouldRejectTypeWithInvalidMetricName() {
        assertError("# TYPE 9m counter\n", 1, 8, "expected a metric name after TYPE, found '9'");
    }

    @Test
    void shouldRejectTextAfterMetricType() {
        assertError("# TYPE m counter extra\n", 1, 18, "unexpected text after metric type counter");
    }

    @Test
    void shouldRejectInvalidCharacterInHelpMetricName() {
        assertError("# HELP m-x text\n", 1, 9, "invalid character '-' in metric name \"m\"");
    }

    @Test
    void shouldRejectMalformedExemplar() {
        assertError("h_bucket{le=\"1\"} 2 # not-an-exemplar\n", 1, 22,
                "expected '{' to open exemplar labels after '#', found 'n'");
        assertError("h_bucket{le=\"1\"} 2 # {a=\"b\"}\n", 1, 29, "expected an exemplar value, found end of line");
        assertError("h_bucket{le=\"1\"} 2 # {a=\"b\"} 1 2 3\n", 1, 34, "unexpected text after the exemplar");
    }

    @Test
    void shouldRejectInvalidUtf8WithByteColumn() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("ok 1\nm{a=\"".getBytes(StandardCharsets.US_ASCII));
        body.write(0xff);
        body.writeBytes("\"} 1\n".getBytes(StandardCharsets.US_ASCII));

        PromTextParseException e = catchThrowableOfType(PromTextParseException.class,
                () -> PromTextParser.parse(body.toByteArray()));

        assertThat(e.line()).isEqualTo(2);
        assertThat(e.column()).isEqualTo(6);
        assertThat(e.reason()).isEqualTo("malformed UTF-8 at byte 0xff");
        assertThat(e.excerpt()).isEqualTo("m{a=\"\uFFFD\"} 1");
    }

    @Test
    void shouldRejectTruncatedUtf8Sequence() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("m 1\nn{a=\"".getBytes(StandardCharsets.US_ASCII));
        body.write(euro, 0, 2);

        PromTextParseException e = catchThrowableOfType(PromTextParseException.class,
                () -> PromTextParser.parse(body.toByteArray()));

        assertThat(e.line()).isEqualTo(2);
        assertThat(e.column()).isEqualTo(6);
        assertThat(e.reason()).isEqualTo("malformed UTF-8 at byte 0xe2");
    }

    @Test
    void shouldRejectBodyLargerThanLimit() {
        byte[] body = "m 1\n".repeat(25).getBytes(StandardCharsets.UTF_8);

        PromTextParseException e = catchThrowableOfType(PromTextParseException.class,
                () -> PromTextParser.parse(body, 99));

        assertThat(e.line()).isZero();
        assertThat(e.column()).isZero();
        assertThat(e).hasMessage("body of 100 bytes exceeds the limit of 99 bytes");
    }

    @Test
    void shouldShortenLongLinesInExcerpt() {
        String labels = IntStream.range(0, 50).mapToObj(i -> "label_" + i + "=\"value\"").collect(Collectors.joining(","));
        String line = "m{" + labels + "} 1 2 3";

        PromTextParseException e = failure(line + "\n");

        assertThat(e.column()).isEqualTo(line.length());
        assertThat(e.excerpt()).startsWith("...").endsWith("} 1 2 3").hasSizeLessThanOrEqualTo(123);
    }

    @Test
    void shouldEscapeControlCharactersInExcerpt() {
        PromTextParseException e = failure("m\u0001 1\n");

        assertThat(e.column()).isEqualTo(2);
        assertThat(e.reason()).isEqualTo("invalid character U+0001 in metric name \"m\"");
        assertThat(e.excerpt()).isEqualTo("m\\u0001 1");
    }

    private static void assertError(String text, int line, int column, String reason) {
        PromTextParseException e = failure(text);
        assertThat(e.reason()).as("reason for %s", text).isEqualTo(reason);
        assertThat(e.line()).as("line for %s", text).isEqualTo(line);
        assertThat(e.column()).as("column for %s", text).isEqualTo(column);
    }

    private static PromTextParseException failure(String text) {
        PromTextParseException e = catchThrowableOfType(PromTextParseException.class, () -> PromTextParser.parse(text));
        assertThat(e).as("expected %s to be rejected", text).isNotNull();
        return e;
    }
}
