package io.inferpulse.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistryClientConfigTest {

    @Test
    void shouldApplyDefaultsToAUrlAlone() {
        RegistryClientConfig config = RegistryClientConfig.fromSerdeConfig(Map.of("schema.registry.url", "http://registry:8081"));

        assertThat(config).isEqualTo(new RegistryClientConfig(List.of(URI.create("http://registry:8081")),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(5), 5, Duration.ofMillis(100), Duration.ofSeconds(5)));
    }

    @Test
    void shouldReadConfluentPropertyNames() {
        RegistryClientConfig config = RegistryClientConfig.fromSerdeConfig(Map.of(
                "schema.registry.url", " http://sr-1:8081/ , http://sr-2:8080/apis/ccompat/v7/ ",
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "svc:secret",
                "schema.registry.request.timeout.ms", 2500,
                "schema.registry.retry.max.attempts", "3",
                "schema.registry.retry.backoff.ms", "50",
                "schema.registry.retry.backoff.max.ms", 800L));

        assertThat(config).isEqualTo(new RegistryClientConfig(
                List.of(URI.create("http://sr-1:8081"), URI.create("http://sr-2:8080/apis/ccompat/v7")),
                Optional.of("svc:secret"), Optional.empty(), Duration.ofMillis(2500), 3, Duration.ofMillis(50), Duration.ofMillis(800)));
    }

    @Test
    void shouldAcceptAListOfUrlsAndABearerToken() {
        RegistryClientConfig config = RegistryClientConfig.fromSerdeConfig(Map.of(
                "schema.registry.url", List.of("https://a:8081", "https://b:8081"),
                "bearer.auth.credentials.source", "STATIC_TOKEN",
                "bearer.auth.token", "tok"));

        assertThat(config.urls()).containsExactly(URI.create("https://a:8081"), URI.create("https://b:8081"));
        assertThat(config.bearerToken()).contains("tok");
    }

    @Test
    void shouldTakeCredentialsOutOfTheUrlAndNeverPrintThem() {
        RegistryClientConfig config = RegistryClientConfig.fromSerdeConfig(Map.of(
                "schema.registry.url", "https://svc:pa55word@registry.example:8081"));

        assertThat(config.urls()).containsExactly(URI.create("https://registry.example:8081"));
        assertThat(config.basicAuthUserInfo()).contains("svc:pa55word");
        assertThat(config.toString()).doesNotContain("pa55word").contains("auth=basic");
    }

    @Test
    void shouldRaiseTheDefaultMaximumBackoffToAHigherInitialBackoff() {
        RegistryClientConfig config = RegistryClientConfig.fromSerdeConfig(Map.of(
                "schema.registry.url", "http://r:8081", "schema.registry.retry.backoff.ms", "8000"));

        assertThat(config.maxBackoff()).isEqualTo(Duration.ofSeconds(8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            schema.registry.url                  | ftp://registry:21
            schema.registry.url                  | registry:8081
            schema.registry.url                  | mock://a,http://b:8081
            schema.registry.request.timeout.ms   | soon
            schema.registry.retry.max.attempts   | 0
            schema.registry.retry.backoff.ms     | -5
            schema.registry.retry.backoff.max.ms | 10
            basic.auth.credentials.source        | SASL_INHERIT
            basic.auth.user.info                 | no-colon
            bearer.auth.credentials.source       | OAUTHBEARER
            """)
    void shouldNameThePropertyWithABadValue(String property, String value) {
        Map<String, Object> configs = new java.util.HashMap<>(Map.of("schema.registry.url", "http://registry:8081"));
        configs.put(property, value);
        if (property.equals("basic.auth.user.info")) {
            configs.put("basic.auth.credentials.source", "USER_INFO");
        }

        assertThatThrownBy(() -> RegistryClientConfig.fromSerdeConfig(configs))
                .isInstanceOf(ConfigException.class).hasMessageContaining(property);
    }

    @Test
    void shouldNameTheMissingProperty() {
        assertThatThrownBy(() -> RegistryClientConfig.fromSerdeConfig(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> RegistryClientConfig.fromSerdeConfig(Map.of(
                "schema.registry.url", "http://r:8081", "basic.auth.credentials.source", "USER_INFO")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info");
        assertThatThrownBy(() -> RegistryClientConfig.fromSerdeConfig(Map.of(
                "schema.registry.url", "http://r:8081", "bearer.auth.credentials.source", "STATIC_TOKEN")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bearer.auth.token");
    }

    @Test
    void shouldRefuseBasicAndBearerAuthTogether() {
        assertThatThrownBy(() -> RegistryClientConfig.fromSerdeConfig(Map.of(
                "schema.registry.url", "http://r:8081",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "u:p",
                "bearer.auth.token", "tok")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bearer.auth.token").hasMessageNotContaining("tok\"");
    }

    @Test
    void shouldPickTheInMemoryRegistryForAMockUrl() {
        SchemaRegistryClient mock = SchemaRegistryClients.create(
                RegistryClientConfig.fromSerdeConfig(Map.of("schema.registry.url", "mock://config-test")));

        assertThat(mock).isSameAs(InMemorySchemaRegistryClient.forScope("config-test"));
        try (SchemaRegistryClient rest = SchemaRegistryClients.create(RegistryClientConfig.of(URI.create("http://r:8081")))) {
            assertThat(rest).isInstanceOf(RestSchemaRegistryClient.class);
        }
    }
}
