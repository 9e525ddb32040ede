package io.inferpulse.ingest.promtext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SampleValuesTest {

    private static final long SEED = Long.getLong("inferpulse.fuzz.seed", System.nanoTime());

    @Test
    void shouldAgreeWithJavaOnEveryRandomDecimal() {
        Random random = new Random(SEED);
        for (int i = 0; i < 20_000; i++) {
            String text = randomDecimal(random);
            double expected = Double.parseDouble(text);
            if (Double.isInfinite(expected)) {
                assertThatThrownBy(() -> parse(text)).as("seed %d: %s", SEED, text)
                        .isInstanceOf(NumberFormatException.class).hasMessage("value out of range");
            } else {
                assertThat(Double.doubleToRawLongBits(parse(text)))
                        .as("seed %d: %s", SEED, text).isEqualTo(Double.doubleToRawLongBits(expected));
            }
        }
    }

    @Test
    void shouldRoundTripJavaRenderedDoubles() {
        Random random = new Random(SEED);
        for (int i = 0; i < 20_000; i++) {
            double value = Double.longBitsToDouble(random.nextLong());
            if (Double.isNaN(value)) {
                continue;
            }
            assertThat(parse(Double.toString(value))).as("seed %d: %s", SEED, value).isEqualTo(value);
        }
    }

    @Test
    void shouldRejectWhatGoRejects() {
        for (String text : new String[] {"", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "1_000", "0x10", "0x1p-2",
                "1d", "1f", " 1", "1 ", "--1", "+-1", "+NaN", "-nan", "infin", "Infinit", "in", "NaNa", "∞"}) {
            assertThatThrownBy(() -> parse(text)).as(text).isInstanceOf(NumberFormatException.class);
        }
    }

    @Test
    void shouldParseTimestampsUpToLongMax() {
        String max = Long.toString(Long.MAX_VALUE);

        assertThat(SampleValues.parseTimestamp(max.toCharArray(), 0, max.length())).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> SampleValues.parseTimestamp("9223372036854775808".toCharArray(), 0, 19))
                .hasMessage("timestamp out of range");
    }

    private static String randomDecimal(Random random) {
        StringBuilder text = new StringBuilder();
        if (random.nextBoolean()) {
            text.append(random.nextBoolean() ? '-' : '+');
        }
        int integerDigits = random.nextInt(22);
        int fractionDigits = random.nextInt(22);
        if (integerDigits == 0 && fractionDigits == 0) {
            integerDigits = 1;
        }
        for (int k = 0; k < integerDigits; k++) {
            text.append((char) ('0' + random.nextInt(10)));
        }
        if (fractionDigits > 0 || random.nextBoolean()) {
            text.append('.');
        }
        for (int k = 0; k < fractionDigits; k++) {
            text.append((char) ('0' + random.nextInt(10)));
        }
        if (random.nextBoolean()) {
            text.append(random.nextBoolean() ? 'e' : 'E');
            int exponent = random.nextInt(700) - 350;
            text.append(exponent < 0 || random.nextBoolean() ? "" : "+").append(exponent);
        }
        return text.toString();
    }

    private static double parse(String text) {
        return SampleValues.parseDouble(text.toCharArray(), 0, text.length());
    }
}
