package io.inferpulse.ingest.logs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessLogFormatsTest {

    private static final AccessLogMapping MAPPING = AccessLogMapping.defaults("dev");

    @Test
    void shouldBuildAParserForEveryKnownFormat() {
        assertThat(AccessLogFormats.names()).containsExactly("gcp-lb", "envoy", "envoy-json");
        assertThat(AccessLogFormats.names()).allSatisfy(format ->
                assertThat(AccessLogFormats.parser(format, MAPPING).format()).isEqualTo(format));
        assertThat(AccessLogFormats.parser("gcp-lb", MAPPING)).isInstanceOf(GcpLoadBalancerLogParser.class);
        assertThat(AccessLogFormats.parser("envoy", MAPPING)).isInstanceOf(EnvoyTextLogParser.class);
        assertThat(AccessLogFormats.parser("envoy-json", MAPPING)).isInstanceOf(EnvoyJsonLogParser.class);
    }

    @Test
    void shouldNameTheKnownFormatsForAnUnknownOne() {
        assertThatThrownBy(() -> AccessLogFormats.parser("nginx", MAPPING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown access-log format 'nginx' (known: gcp-lb, envoy, envoy-json)");
    }

    @Test
    void shouldAcceptLinesOfExactlyOneMebibyteByDefault() throws Exception {
        // given a valid entry padded with an unknown field to the default limit, in two-byte characters
        AccessLogParser parser = AccessLogFormats.parser("gcp-lb", MAPPING);
        ObjectNode entry = GcpLoadBalancerLogParserTest.regionalEntry();
        entry.put("padding", "");
        int padding = AccessLogFormats.DEFAULT_MAX_LINE_BYTES - entry.toString().length();
        entry.put("padding", "\u00e9".repeat(padding / 2) + "x".repeat(padding % 2));
        String atLimit = entry.toString();
        entry.put("padding", entry.get("padding").textValue() + "x");
        String aboveLimit = entry.toString();

        // when / then
        assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(AccessLogFormats.DEFAULT_MAX_LINE_BYTES);
        assertThat(atLimit.length()).isLessThan(AccessLogFormats.DEFAULT_MAX_LINE_BYTES);
        assertThat(parser.parse(atLimit).pool()).isNotEmpty();
        assertThatThrownBy(() -> parser.parse(aboveLimit))
                .isInstanceOf(AccessLogParseException.class)
                .hasMessage("line too long: 1048577 bytes, above the limit of 1048576 bytes");
    }

    @Test
    void shouldRejectLinesAboveTheGivenLimit() {
        // given
        AccessLogParser parser = AccessLogFormats.parser("envoy", MAPPING, 100);
        String line = Samples.line("envoy/default-format.log", 0);

        // when / then
        assertThat(line.length()).isGreaterThan(100);
        assertThatThrownBy(() -> parser.parse(line))
                .isInstanceOf(AccessLogParseException.class)
                .hasMessage("line too long: at least " + line.length() + " bytes, above the limit of 100 bytes");
        assertThatThrownBy(() -> AccessLogFormats.parser("envoy", MAPPING, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxLineBytes must be positive, got 0");
    }
}
