package io.inferpulse.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigParsersTest {

    @Nested
    class Durations {
        @ParameterizedTest(name = "''{0}'' is {1}")
        @CsvSource({
                "1s,      PT1S",
                "250ms,   PT0.25S",
                "1m30s,   PT1M30S",
                "1.5s,    PT1.5S",
                "PT2S,    PT2S",
                "0s,      PT0S",
                "2h,      PT2H",
                "1d,      PT24H",
                "1h1m1s,  PT1H1M1S",
                "500us,   PT0.0005S",
                "500µs,   PT0.0005S",
                "10ns,    PT0.00000001S",
                "pt1m,    PT1M"})
        void shouldParseGoStyleAndIsoDurations(String text, String expected) {
            // when
            Duration parsed = ConfigParsers.DURATION.parse(text);

            // then
            assertThat(parsed).isEqualTo(Duration.parse(expected));
        }

        @Test
        void shouldIgnoreSurroundingWhitespace() {
            assertThat(ConfigParsers.DURATION.parse(" 1s \n")).isEqualTo(Duration.ofSeconds(1));
        }

        @Test
        void shouldKeepFractionsExact() {
            // given a fraction that a binary double cannot hold exactly
            // when
            Duration parsed = ConfigParsers.DURATION.parse("0.1s");

            // then
            assertThat(parsed).isEqualTo(Duration.ofMillis(100));
            assertThat(ConfigParsers.DURATION.parse("1.0000000015s")).isEqualTo(Duration.ofNanos(1_000_000_002));
        }

        @ParameterizedTest(name = "rejects ''{0}''")
        @ValueSource(strings = {"abc", "1x", "", "   ", "-1s", "1", "s", "1.s", ".5s", "1 s", "1S", "1e3s", "1s-1s"})
        void shouldRejectTextThatIsNotADuration(String text) {
            assertThatThrownBy(() -> ConfigParsers.DURATION.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'" + text + "' is not a duration (e.g. 1s, 250ms, 1m30s)");
        }

        @Test
        void shouldRejectAMalformedIsoDuration() {
            assertThatThrownBy(() -> ConfigParsers.DURATION.parse("PTxS"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'PTxS' is not an ISO-8601 duration");
        }

        @Test
        void shouldRejectANegativeIsoDurationLikeANegativeGoStyleOne() {
            assertThatThrownBy(() -> ConfigParsers.DURATION.parse("PT-2S"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'PT-2S'")
                    .hasMessageContaining("negative");
        }

        @Test
        void shouldRejectADurationTooLongToRepresentInsteadOfClampingIt() {
            // 300000 days is more than the ~292 years a long of nanoseconds holds
            assertThatThrownBy(() -> ConfigParsers.DURATION.parse("300000d"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'300000d' is too long a duration");
        }

        @Test
        void shouldAcceptTheLongestRepresentableDurations() {
            assertThat(ConfigParsers.DURATION.parse("106751d")).isEqualTo(Duration.ofDays(106751));
        }

        @Test
        void shouldAcceptOnlyPositiveDurationsAsPositive() {
            assertThat(ConfigParsers.POSITIVE_DURATION.parse("1ms")).isEqualTo(Duration.ofMillis(1));
            assertThatThrownBy(() -> ConfigParsers.POSITIVE_DURATION.parse("0s"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'0s' must be a positive duration");
            assertThatThrownBy(() -> ConfigParsers.POSITIVE_DURATION.parse("-1s"))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void shouldAddUpRepeatedUnits() {
            assertThat(ConfigParsers.DURATION.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
            assertThat(ConfigParsers.DURATION.parse("1s1s")).isEqualTo(Duration.ofSeconds(2));
            assertThat(ConfigParsers.DURATION.parse("1m").toNanos()).isEqualTo(TimeUnit.MINUTES.toNanos(1));
        }
    }

    @Nested
    class Booleans {
        @ParameterizedTest
        @ValueSource(strings = {"true", "TRUE", "yes", "on", "1", " True "})
        void shouldReadTrue(String text) {
            assertThat(ConfigParsers.BOOLEAN.parse(text)).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = {"false", "False", "no", "off", "0"})
        void shouldReadFalse(String text) {
            assertThat(ConfigParsers.BOOLEAN.parse(text)).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"maybe", "", "2", "y"})
        void shouldRejectAnythingElseSayingABooleanIsExpected(String text) {
            assertThatThrownBy(() -> ConfigParsers.BOOLEAN.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'" + text + "' is not a boolean (true or false)");
        }
    }

    @Nested
    class Ports {
        @ParameterizedTest
        @CsvSource({"0, 0", "1, 1", "9400, 9400", "65535, 65535", "' 8080 ', 8080"})
        void shouldAcceptPortsIncludingZeroForAnyFreePort(String text, int expected) {
            assertThat(ConfigParsers.PORT.parse(text)).isEqualTo(expected);
        }

        @ParameterizedTest
        @ValueSource(strings = {"-1", "65536", "100000"})
        void shouldRejectNumbersOutsideThePortRange(String text) {
            assertThatThrownBy(() -> ConfigParsers.PORT.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(Integer.parseInt(text) + " is not a port (0..65535; 0 picks a free one)");
        }

        @Test
        void shouldRejectAPortThatIsNotANumber() {
            assertThatThrownBy(() -> ConfigParsers.PORT.parse("http"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'http' is not an integer");
        }
    }

    @Nested
    class Integers {
        @Test
        void shouldEnforceAMinimum() {
            ConfigParser<Integer> atLeastOne = ConfigParsers.intAtLeast(1);
            assertThat(atLeastOne.parse("1")).isEqualTo(1);
            assertThatThrownBy(() -> atLeastOne.parse("0"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("0 is below the minimum 1");
        }

        @Test
        void shouldRejectAnIntegerTooLargeForAnInt() {
            assertThatThrownBy(() -> ConfigParsers.INT.parse("99999999999"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'99999999999' is not an integer");
        }
    }

    enum Compression { NONE, GZIP, ZSTD_FAST }

    @Nested
    class Enums {
        private final ConfigParser<Compression> parser = ConfigParsers.enumOf(Compression.class);

        @ParameterizedTest
        @CsvSource({"gzip, GZIP", "GZIP, GZIP", "' none ', NONE", "zstd-fast, ZSTD_FAST", "zstd_fast, ZSTD_FAST"})
        void shouldMatchConstantsIgnoringCaseAndDashes(String text, Compression expected) {
            assertThat(parser.parse(text)).isEqualTo(expected);
        }

        @Test
        void shouldRejectAnUnknownNameListingTheChoices() {
            assertThatThrownBy(() -> parser.parse("lz4"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'lz4' is not one of [none, gzip, zstd_fast]");
        }
    }

    @Nested
    class Lists {
        @Test
        void shouldSplitOnCommasTrimmingAndDroppingEmptyItems() {
            assertThat(ConfigParsers.LIST.parse(" a, b ,,c ,")).containsExactly("a", "b", "c");
        }

        @Test
        void shouldReadAnEmptyTextAsAnEmptyList() {
            assertThat(ConfigParsers.LIST.parse("")).isEmpty();
            assertThat(ConfigParsers.LIST.parse(" , ")).isEmpty();
        }

        @Test
        void shouldReadASingleItem() {
            assertThat(ConfigParsers.LIST.parse("broker:9092")).isEqualTo(List.of("broker:9092"));
        }
    }

    @Nested
    class Others {
        @Test
        void shouldRejectBlankTextWhereAValueIsRequired() {
            assertThat(ConfigParsers.NON_EMPTY.parse("  x ")).isEqualTo("x");
            assertThatThrownBy(() -> ConfigParsers.NON_EMPTY.parse(" "))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("must not be empty");
        }

        @Test
        void shouldAcceptAnAbsoluteUrlAndRejectARelativeOne() {
            assertThat(ConfigParsers.URI_VALUE.parse("http://127.0.0.1:8081")).isEqualTo(URI.create("http://127.0.0.1:8081"));
            assertThatThrownBy(() -> ConfigParsers.URI_VALUE.parse("localhost/x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'localhost/x' is not an absolute URL (e.g. http://127.0.0.1:8081)");
            assertThatThrownBy(() -> ConfigParsers.URI_VALUE.parse("http://a b"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'http://a b' is not a URL");
        }

        @Test
        void shouldReadAPathAndRejectAnEmptyOne() {
            assertThat(ConfigParsers.PATH.parse("/etc/inferpulse.yaml")).isEqualTo(Path.of("/etc/inferpulse.yaml"));
            assertThatThrownBy(() -> ConfigParsers.PATH.parse("")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
