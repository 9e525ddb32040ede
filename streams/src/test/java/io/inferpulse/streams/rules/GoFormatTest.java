package io.inferpulse.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected strings are what Go's fmt prints for the same float64. */
class GoFormatTest {

    @Test
    void shouldPrintTheShortestRepresentationWithGoExponentRules() {
        assertThat(GoFormat.value(123456)).isEqualTo("123456");
        assertThat(GoFormat.value(1234567)).isEqualTo("1.234567e+06");
        assertThat(GoFormat.value(0.0001)).isEqualTo("0.0001");
        assertThat(GoFormat.value(1e21)).isEqualTo("1e+21");
        assertThat(GoFormat.value(-2.5)).isEqualTo("-2.5");
        assertThat(GoFormat.value(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(GoFormat.value(1.0 / 3)).isEqualTo("0.3333333333333333");
    }

    @Test
    void shouldRoundToFourSignificantDigitsHalfToEven() {
        assertThat(GoFormat.general(999.99, 4)).isEqualTo("1000");
        assertThat(GoFormat.general(12345, 4)).isEqualTo("1.234e+04");
        assertThat(GoFormat.general(100, 4)).isEqualTo("100");
        assertThat(GoFormat.general(0.000012345, 4)).isEqualTo("1.234e-05");
        assertThat(GoFormat.general(2, 4)).isEqualTo("2");
    }

    @Test
    void shouldRoundFixedPointOnTheExactBinaryValue() {
        // 0.125 is exact in binary, so the tie goes to even; 2.675 is really 2.67499999..., so it rounds down.
        assertThat(GoFormat.fixed(0.125, 2)).isEqualTo("0.12");
        assertThat(GoFormat.fixed(0.375, 2)).isEqualTo("0.38");
        assertThat(GoFormat.fixed(2.675, 2)).isEqualTo("2.67");
        assertThat(GoFormat.fixed(-1.5, 0)).isEqualTo("-2");
        assertThat(GoFormat.exponent(1234.5678, 3)).isEqualTo("1.235e+03");
    }

    @Test
    void shouldHumanizeWithSiPrefixes() {
        assertThat(Humanize.number(1000)).isEqualTo("1k");
        assertThat(Humanize.number(123456)).isEqualTo("123.5k");
        assertThat(Humanize.number(-2_500_000)).isEqualTo("-2.5M");
        assertThat(Humanize.number(0)).isEqualTo("0");
        assertThat(Humanize.number(12.5)).isEqualTo("12.5");
        assertThat(Humanize.number(0.000002)).isEqualTo("2u");
    }

    @Test
    void shouldHumanizeDurationsLikePrometheus() {
        assertThat(Humanize.duration(0)).isEqualTo("0s");
        assertThat(Humanize.duration(90)).isEqualTo("1m 30s");
        assertThat(Humanize.duration(90061)).isEqualTo("1d 1h 1m 1s");
        assertThat(Humanize.duration(12.5)).isEqualTo("12.5s");
        assertThat(Humanize.duration(0.25)).isEqualTo("250ms");
        assertThat(Humanize.duration(-61)).isEqualTo("-1m 1s");
        assertThat(Humanize.duration(Double.NaN)).isEqualTo("NaN");
    }

    @Test
    void shouldPrintfLikeGo() {
        assertThat(GoPrintf.format("%.2f%%", List.of(95.0))).isEqualTo("95.00%");
        assertThat(GoPrintf.format("%5.1f|%-4s|%q", List.of(3.14159, "ab", "x\"y"))).isEqualTo("  3.1|ab  |\"x\\\"y\"");
        assertThat(GoPrintf.format("%d", List.of(1.5))).isEqualTo("%!d(float64=1.5)");
        assertThat(GoPrintf.format("%s %s", List.of("a"))).isEqualTo("a %!s(MISSING)");
        assertThat(GoPrintf.format("%v", List.of(1e6, "extra"))).isEqualTo("1e+06%!(EXTRA string=extra)");
        assertThat(GoPrintf.format("%+.1e", List.of(12345.0))).isEqualTo("+1.2e+04");
        assertThat(GoPrintf.format("%06.2f", List.of(-1.5))).isEqualTo("-01.50");
    }
}
