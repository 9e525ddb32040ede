package io.inferpulse.autoscaler.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
