package io.inferpulse.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {
    @Test
    void shouldRoundTripAnAlertInstanceWithEveryTimer() {
        JsonSerde<ActiveAlert> serde = new JsonSerde<>(ActiveAlert.class);
        ActiveAlert alert = new ActiveAlert(AlertStatus.FIRING, new TreeMap<>(Map.of("alertname", "A", "name", "pool \"x\"")),
                Map.of("title", "Queue of pool x"), 61.5, 1_000L, 301_000L, 316_000L, ActiveAlert.NEVER, 361_000L);

        ActiveAlert read = serde.deserializer().deserialize("t", serde.serializer().serialize("t", alert));

        assertThat(read).isEqualTo(alert);
    }

    @Test
    void shouldRoundTripNaNSeriesValues() {
        JsonSerde<SeriesBatch> serde = new JsonSerde<>(SeriesBatch.class);
        SeriesBatch batch = new SeriesBatch(List.of(
                new SeriesBatch.Point(new TreeMap<>(Map.of("__name__", "x:ratio", "model_name", "m")), Double.NaN),
                new SeriesBatch.Point(new TreeMap<>(Map.of("__name__", "y")), 2.5)));

        SeriesBatch read = serde.deserializer().deserialize("t", serde.serializer().serialize("t", batch));

        assertThat(read.points()).hasSize(2);
        assertThat(read.points().get(0).value()).isNaN();
        assertThat(read.points().get(0).labels()).isEqualTo(batch.points().get(0).labels());
        assertThat(read.points().get(1)).isEqualTo(batch.points().get(1));
    }

    @Test
    void shouldNameTheTopicAndTypeOfAnUnreadableRecord() {
        JsonSerde<SeriesPoint> serde = new JsonSerde<>(SeriesPoint.class);

        assertThatThrownBy(() -> serde.deserializer().deserialize("app-alert-series-changelog",
                "{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("app-alert-series-changelog").hasMessageContaining("SeriesPoint");
    }
}
