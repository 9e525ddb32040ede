package io.inferpulse.autoscaler.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Values as Kubernetes prints quantities (resource.Quantity's canonical decimal form). */
class QuantitiesTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0.5, 500m",
            "12, 12",
            "1.5, 1500m",
            "0, 0",
            "-0.0, 0",
            "1500, 1500",
            "2000, 2k",
            "3000000, 3M",
            "0.1, 100m",
            "0.4567, 456700u",
            "0.000001, 1u",
            "0.000000001, 1n",
            "-0.25, -250m",
            "1000.5, 1000500m",
    })
    void shouldWriteTheCanonicalDecimalForm(double value, String expected) {
        assertThat(Quantities.format(value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1e-12, 0.0000000001})
    void shouldRoundUpBelowANanoUnitSoASmallValueIsNeverZero(double tiny) {
        assertThat(Quantities.format(tiny)).isEqualTo("1n");
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void shouldRefuseWhatNoQuantityCanCarry(double value) {
        assertThatThrownBy(() -> Quantities.format(value)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldWriteWholeNumbersAsTheDecimalPathDoes() {
        // Whole numbers take a path without BigDecimal; it must agree with the general one.
        for (double v : new double[] {1, 12, 999, 1000, 1500, 2000, 1_000_000, 12_000_000, -3000, -7, 417,
                999_999_999_999_999.0, 1e15, 1e18, 3e20}) {
            java.math.BigInteger m = java.math.BigDecimal.valueOf(v).setScale(9, java.math.RoundingMode.CEILING).unscaledValue();
            String[] suffixes = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
            int e = 0;
            while (e < suffixes.length - 1 && m.mod(java.math.BigInteger.valueOf(1000)).signum() == 0) {
                m = m.divide(java.math.BigInteger.valueOf(1000));
                e++;
            }
            assertThat(Quantities.format(v)).as("%s", v).isEqualTo(m + suffixes[e]);
        }
    }
}
