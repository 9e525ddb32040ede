package io.inferpulse.streams.request;

import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The stores of the request processors. In memory with a changelog: the processors mirror them in
 * memory anyway, and the cache folds the many updates of a bucket between commits into one
 * changelog record.
 */
final class RequestWindowStores {
    private RequestWindowStores() {}

    static StoreBuilder<KeyValueStore<String, RequestBucket>> buckets(String name) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(),
                        RequestBucket.serde())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of());
    }

    /** Error-detail counts, and the first stage's progress as the model stage knows it. */
    static StoreBuilder<KeyValueStore<String, Long>> longs(String name) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.Long())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of());
    }
}
