package io.inferpulse.devstack.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SeriesValuesTest {

    @Test
    void shouldWritePromtoolNotation() {
        SeriesValues values = SeriesValues.of(0, 10).expanding(20, 10, 28).missing(3).stale().then(0.25, -1.5);

        assertThat(values.text()).isEqualTo("0 10 20+10x28 _ _ _ stale 0.25 -1.5");
    }

    @Test
    void shouldWriteCountdownsRepeatsAndNonFiniteValues() {
        SeriesValues values = SeriesValues.empty().expanding(100, -2.5, 4).repeat(7, 3).repeat(8, 1)
                .then(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e20);

        assertThat(values.text()).isEqualTo("100-2.5x4 7x2 8 NaN Inf -Inf 1.0E20");
    }

    @Test
    void shouldRejectCountsThatWriteNothing() {
        assertThatThrownBy(() -> SeriesValues.empty().repeat(1, 0)).hasMessageContaining("count must be >= 1, got 0");
        assertThatThrownBy(() -> SeriesValues.empty().expanding(1, 1, -1)).hasMessageContaining("times must be >= 0, got -1");
    }
}
