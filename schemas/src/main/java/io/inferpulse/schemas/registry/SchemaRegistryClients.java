package io.inferpulse.schemas.registry;

import java.net.URI;

/** Picks the client for a configuration, the way Confluent's serdes do. */
public final class SchemaRegistryClients {
    private SchemaRegistryClients() {}

    /**
     * The shared in-memory registry of the scope for {@code mock://<scope>} (Confluent's convention
     * for tests), otherwise a REST client for the configured URLs.
     */
    public static SchemaRegistryClient create(RegistryClientConfig config) {
        URI first = config.urls().getFirst();
        if ("mock".equalsIgnoreCase(first.getScheme())) {
            if (config.urls().size() > 1) {
                throw new IllegalArgumentException("A mock:// registry URL cannot be combined with other URLs: " + config.urls());
            }
            return InMemorySchemaRegistryClient.forScope(first.getRawAuthority());
        }
        return new RestSchemaRegistryClient(config);
    }
}
