package io.inferpulse.schemas;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic bundled with the serdes of its key and value, so that the code writing it and the code
 * reading it cannot disagree about either.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
    }
}
