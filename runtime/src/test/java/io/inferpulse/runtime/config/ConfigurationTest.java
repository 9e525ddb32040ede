package io.inferpulse.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationTest {
    private static final ConfigParameter<Duration> SCRAPE_INTERVAL =
            ConfigParameter.of("scrape.interval", ConfigParsers.DURATION, "15s", "How often to scrape");
    private static final ConfigParameter<Integer> PORT =
            ConfigParameter.of("ops.port", ConfigParsers.PORT, "9400", "Port of /metrics");
    private static final ConfigParameter<Boolean> ENABLED =
            ConfigParameter.of("ingest.enabled", ConfigParsers.BOOLEAN, "true", "Run ingest");
    private static final ConfigParameter<List<String>> TARGETS =
            ConfigParameter.of("scrape.targets", ConfigParsers.LIST, "", "Endpoints to scrape");
    private static final ConfigParameter<String> SERVICE_NAME =
            ConfigParameter.required("service.name", ConfigParsers.NON_EMPTY, "Name of this service");
    private static final ConfigParameter<String> API_PASSWORD =
            ConfigParameter.of("api.password", ConfigParsers.NON_EMPTY, "changeme", "API password").asSecret();
    private static final ConfigParameter<Integer> PIN =
            ConfigParameter.of("api.pin", ConfigParsers.PORT, "1234", "A secret number").asSecret();

    private static final List<ConfigParameter<?>> PARAMETERS =
            List.of(SCRAPE_INTERVAL, PORT, ENABLED, TARGETS, SERVICE_NAME, API_PASSWORD, PIN);
    private static final Set<String> PASS_THROUGH = Set.of("kafka.", "schema.registry.");
    private static final Map<String, String> REQUIRED = Map.of("service.name", "ingest");

    @TempDir
    Path dir;

    private Path yaml(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    private static Configuration load(Map<String, String> flags, Map<String, String> env, Path file) {
        return Configuration.load(PARAMETERS, PASS_THROUGH, new Configuration.Sources(flags, env, Optional.ofNullable(file)));
    }

    private static ConfigException loadFailing(Map<String, String> flags, Map<String, String> env, Path file) {
        return catchThrowableOfType(ConfigException.class, () -> load(flags, env, file));
    }

    // ---- precedence ------------------------------------------------------------------------

    @Test
    void shouldPreferAFlagOverTheEnvironmentTheFileAndTheDefault() throws IOException {
        // given
        Path file = yaml("c.yaml", "service.name: ingest", "scrape.interval: 10s");
        Map<String, String> env = Map.of("INFERPULSE_SCRAPE_INTERVAL", "5s");
        Map<String, String> flags = Map.of("scrape.interval", "1s");

        // when
        Configuration config = load(flags, env, file);

        // then
        assertThat(config.get(SCRAPE_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.describe()).contains("scrape.interval = 1s  (flag --set scrape.interval)");
    }

    @Test
    void shouldPreferTheEnvironmentOverTheFileAndTheDefault() throws IOException {
        // given
        Path file = yaml("c.yaml", "service.name: ingest", "scrape.interval: 10s");
        Map<String, String> env = Map.of("INFERPULSE_SCRAPE_INTERVAL", "5s");

        // when
        Configuration config = load(Map.of(), env, file);

        // then
        assertThat(config.get(SCRAPE_INTERVAL)).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.describe())
                .contains("scrape.interval = 5s  (environment variable INFERPULSE_SCRAPE_INTERVAL)");
    }

    @Test
    void shouldPreferTheFileOverTheDefaultNamingItsLine() throws IOException {
        // given
        Path file = yaml("c.yaml", "service.name: ingest", "scrape.interval: 10s");

        // when
        Configuration config = load(Map.of(), Map.of(), file);

        // then
        assertThat(config.get(SCRAPE_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.describe()).contains("scrape.interval = 10s  (" + file + ":2)")
                .contains("service.name = ingest  (" + file + ":1)");
    }

    @Test
    void shouldFallBackToTheDefaultWhenNothingSetsAKey() {
        // when
        Configuration config = load(REQUIRED, Map.of(), null);

        // then
        assertThat(config.get(SCRAPE_INTERVAL)).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.get(PORT)).isEqualTo(9400);
        assertThat(config.get(ENABLED)).isTrue();
        assertThat(config.get(TARGETS)).isEmpty();
        assertThat(config.describe()).contains("scrape.interval = 15s  (default)", "ops.port = 9400  (default)");
    }

    @Test
    void shouldDescribeEveryDeclaredKeyOnceSortedByKey() {
        // when
        List<String> described = load(REQUIRED, Map.of(), null).describe();

        // then
        assertThat(described).extracting(line -> line.substring(0, line.indexOf(" = ")))
                .containsExactly("api.password", "api.pin", "ingest.enabled", "ops.port", "scrape.interval",
                        "scrape.targets", "service.name");
    }

    @Test
    void shouldRefuseToGetAParameterThatWasNotDeclared() {
        // given
        Configuration config = load(REQUIRED, Map.of(), null);
        ConfigParameter<Integer> undeclared = ConfigParameter.of("not.declared", ConfigParsers.INT, "1", "");

        // then
        assertThatThrownBy(() -> config.get(undeclared))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not.declared");
    }

    // ---- the YAML file ---------------------------------------------------------------------

    @Test
    void shouldReadNestedYamlAndDottedKeysAlike() throws IOException {
        // given
        Path nested = yaml("nested.yaml",
                "service:",
                "  name: ingest",
                "scrape:",
                "  interval: 30s",
                "  targets:",
                "    - http://a:9100/metrics",
                "    - http://b:9100/metrics",
                "ops:",
                "  port: 9500",
                "kafka:",
                "  security:",
                "    protocol: SASL_SSL");
        Path dotted = yaml("dotted.yaml",
                "service.name: ingest",
                "scrape.interval: 30s",
                "scrape.targets: [http://a:9100/metrics, http://b:9100/metrics]",
                "ops.port: 9500",
                "kafka.security.protocol: SASL_SSL");
        Path mixed = yaml("mixed.yaml",
                "service.name: ingest",
                "scrape:",
                "  interval: 30s",
                "  targets: http://a:9100/metrics,http://b:9100/metrics",
                "ops: {port: 9500}",
                "kafka.security:",
                "  protocol: SASL_SSL");

        // when
        List<Configuration> configs = List.of(load(Map.of(), Map.of(), nested), load(Map.of(), Map.of(), dotted),
                load(Map.of(), Map.of(), mixed));

        // then
        for (Configuration config : configs) {
            assertThat(config.get(SERVICE_NAME)).isEqualTo("ingest");
            assertThat(config.get(SCRAPE_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
            assertThat(config.get(TARGETS)).containsExactly("http://a:9100/metrics", "http://b:9100/metrics");
            assertThat(config.get(PORT)).isEqualTo(9500);
            assertThat(config.withPrefix("kafka.")).containsEntry("security.protocol", "SASL_SSL");
        }
    }

    @Test
    void shouldRejectABadDurationNamingFileLineAndKey() throws IOException {
        // given
        Path file = yaml("inferpulse.yaml",
                "# inferpulse ingest",
                "service.name: ingest",
                "",
                "scrape.interval: abc",
                "ops.port: 9400");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.problems()).containsExactly(
                file + ":4: scrape.interval: 'abc' is not a duration (e.g. 1s, 250ms, 1m30s)");
        assertThat(e).hasMessage("Invalid configuration: " + file
                + ":4: scrape.interval: 'abc' is not a duration (e.g. 1s, 250ms, 1m30s)");
    }

    @Test
    void shouldRejectABadValueInNestedYamlNamingTheLineOfTheValue() throws IOException {
        // given
        Path file = yaml("inferpulse.yaml",
                "service:",
                "  name: ingest",
                "ops:",
                "  # the port /metrics listens on",
                "  port: 70000",
                "ingest:",
                "  enabled: maybe");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.problems()).containsExactlyInAnyOrder(
                file + ":5: ops.port: 70000 is not a port (0..65535; 0 picks a free one)",
                file + ":7: ingest.enabled: 'maybe' is not a boolean (true or false)");
    }

    @Test
    void shouldRejectABadValueFromAFlagOrAnEnvironmentVariableNamingIt() {
        // when
        ConfigException fromFlag = loadFailing(Map.of("service.name", "x", "ops.port", "http"), Map.of(), null);
        ConfigException fromEnv = loadFailing(REQUIRED, Map.of("INFERPULSE_OPS_PORT", "-5"), null);

        // then
        assertThat(fromFlag.problems()).containsExactly("flag --set ops.port: ops.port: 'http' is not an integer");
        assertThat(fromEnv.problems()).containsExactly(
                "environment variable INFERPULSE_OPS_PORT: ops.port: -5 is not a port (0..65535; 0 picks a free one)");
    }

    @Test
    void shouldReportAnUnknownKeyInTheFileWithItsLineAndASuggestion() throws IOException {
        // given
        Path file = yaml("inferpulse.yaml",
                "service.name: ingest",
                "scrape:",
                "  intervall: 10s");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.problems()).containsExactly(
                file + ":3: scrape.intervall: unknown setting (did you mean scrape.interval?)");
    }

    @Test
    void shouldReportAnUnknownKeyWithoutASuggestionWhenNothingIsClose() throws IOException {
        // given
        Path file = yaml("inferpulse.yaml", "service.name: ingest", "completely.different: 1");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.problems()).containsExactly(file + ":2: completely.different: unknown setting");
    }

    @Test
    void shouldReportAnUnknownFlagWithASuggestion() {
        // when
        ConfigException e = loadFailing(Map.of("service.name", "x", "ops.prot", "1"), Map.of(), null);

        // then
        assertThat(e.problems()).containsExactly("flag --set ops.prot: unknown setting (did you mean ops.port?)");
    }

    @Test
    void shouldReportEveryProblemTogether() throws IOException {
        // given
        Path file = yaml("inferpulse.yaml",
                "scrape.interval: soon",
                "ops.port: 99999",
                "scrape.intreval: 1s");

        // when
        ConfigException e = loadFailing(Map.of("ingest.enabled", "perhaps"), Map.of(), file);

        // then
        assertThat(e.problems()).containsExactlyInAnyOrder(
                file + ":3: scrape.intreval: unknown setting (did you mean scrape.interval?)",
                file + ":1: scrape.interval: 'soon' is not a duration (e.g. 1s, 250ms, 1m30s)",
                file + ":2: ops.port: 99999 is not a port (0..65535; 0 picks a free one)",
                "flag --set ingest.enabled: ingest.enabled: 'perhaps' is not a boolean (true or false)",
                "service.name: required, but not set (use --set service.name=..., INFERPULSE_SERVICE_NAME,"
                        + " or 'service.name' in the config file)");
        assertThat(e.getMessage()).startsWith("Invalid configuration:\n  - ");
        assertThat(e.getMessage().lines().count()).isEqualTo(6);
    }

    @Test
    void shouldNameTheFlagAndEnvironmentVariableOfAMissingRequiredParameter() {
        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), null);

        // then
        assertThat(e.problems()).hasSize(1);
        assertThat(e.getMessage())
                .contains("service.name: required, but not set")
                .contains("--set service.name=...")
                .contains("INFERPULSE_SERVICE_NAME");
    }

    @Test
    void shouldAcceptARequiredParameterFromAnySource() throws IOException {
        assertThat(load(Map.of(), Map.of("INFERPULSE_SERVICE_NAME", "from-env"), null).get(SERVICE_NAME))
                .isEqualTo("from-env");
        assertThat(load(Map.of(), Map.of(), yaml("c.yaml", "service.name: from-file")).get(SERVICE_NAME))
                .isEqualTo("from-file");
    }

    @Test
    void shouldNameFileAndLineOfMalformedYaml() throws IOException {
        // given
        Path file = yaml("broken.yaml",
                "service.name: ingest",
                "scrape.interval: 1s",
                "  ops.port: 9400");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.problems()).singleElement().asString()
                .startsWith(file + ":3: not valid YAML: ");
    }

    @Test
    void shouldNameFileAndLineOfAnUnterminatedQuote() throws IOException {
        // given
        Path file = yaml("broken.yaml", "service.name: ingest", "api.password: \"abc");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.problems()).singleElement().asString().matches("\\Q" + file + "\\E:\\d+: not valid YAML: .+");
    }

    @Test
    void shouldRejectAFileWhoseTopLevelIsNotAMapping() throws IOException {
        // given
        Path file = yaml("list.yaml", "- a", "- b");

        // when
        ConfigException e = loadFailing(REQUIRED, Map.of(), file);

        // then
        assertThat(e.problems()).containsExactly(file + ":1: expected a mapping of settings at the top level");
    }

    @Test
    void shouldRejectAListOfMapsNamingKeyAndLine() throws IOException {
        // given
        Path file = yaml("c.yaml", "service.name: x", "scrape.targets:", "  - url: http://a");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.problems()).containsExactly(file + ":3: scrape.targets: expected a list of plain values");
    }

    @Test
    void shouldSayClearlyThatTheConfigFileIsMissing() {
        // given
        Path missing = dir.resolve("nope.yaml");

        // when
        ConfigException e = loadFailing(REQUIRED, Map.of(), missing);

        // then
        assertThat(e).hasMessage("Invalid configuration: " + missing + ": config file not found");
    }

    @Test
    void shouldTreatAnEmptyFileAsSettingNothing() throws IOException {
        // given
        Path file = yaml("empty.yaml", "# nothing here yet");

        // when
        Configuration config = load(REQUIRED, Map.of(), file);

        // then
        assertThat(config.get(SCRAPE_INTERVAL)).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void shouldReadAnEmptyYamlValueAsEmptyText() throws IOException {
        // given
        Path file = yaml("c.yaml", "service.name: ingest", "scrape.targets:");

        // when
        Configuration config = load(Map.of(), Map.of(), file);

        // then
        assertThat(config.get(TARGETS)).isEmpty();
    }

    // ---- secrets ---------------------------------------------------------------------------

    @Test
    void shouldMaskASecretInDescribe() throws IOException {
        // given
        Path file = yaml("c.yaml", "service.name: ingest", "api.password: hunter2");

        // when
        Configuration config = load(Map.of(), Map.of("INFERPULSE_API_PIN", "4321"), file);

        // then
        assertThat(config.get(API_PASSWORD)).isEqualTo("hunter2");
        assertThat(config.get(PIN)).isEqualTo(4321);
        assertThat(config.describe())
                .contains("api.password = ******  (" + file + ":2)")
                .contains("api.pin = ******  (environment variable INFERPULSE_API_PIN)")
                .noneMatch(line -> line.contains("hunter2") || line.contains("4321"));
    }

    @Test
    void shouldMaskASecretDefaultInDescribe() {
        assertThat(load(REQUIRED, Map.of(), null).describe())
                .contains("api.password = ******  (default)")
                .noneMatch(line -> line.contains("changeme"));
    }

    @Test
    void shouldKeepABadSecretOutOfTheErrorMessage() throws IOException {
        // given
        Path file = yaml("c.yaml", "service.name: ingest", "api.pin: s3cr3t-pin");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.problems()).containsExactly(file + ":2: api.pin: '******' is not an integer");
        assertThat(e.getMessage()).doesNotContain("s3cr3t-pin");
    }

    @Test
    void shouldKeepABadSecretOutOfTheErrorMessageWhenTheParserQuotesItStripped() {
        // given a secret read from a mounted file, trailing newline included, that the parser trims
        Map<String, String> env = Map.of("INFERPULSE_API_PIN", "987654\n");

        // when
        ConfigException e = loadFailing(REQUIRED, env, null);

        // then
        assertThat(e.problems()).containsExactly(
                "environment variable INFERPULSE_API_PIN: api.pin: ****** is not a port (0..65535; 0 picks a free one)");
        assertThat(e.getMessage()).doesNotContain("987654");
    }

    @Test
    void shouldKeepSecretsOutOfTheMalformedYamlMessage() throws IOException {
        // given a syntax error on the very line that holds a password
        Path file = yaml("broken.yaml",
                "service.name: ingest",
                "kafka.sasl.jaas.config: org.apache.kafka.common.security.plain.PlainLoginModule required password: hunter2;");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.problems()).singleElement().asString().startsWith(file + ":2: not valid YAML: ");
        assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("PlainLoginModule");
    }

    @Test
    void shouldKeepAnUnterminatedSecretOutOfTheMalformedYamlMessage() throws IOException {
        // given
        Path file = yaml("broken.yaml", "service.name: ingest", "api.password: \"hunter2");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.getMessage()).contains("not valid YAML").doesNotContain("hunter2");
    }

    @Test
    void shouldNotMentionAFileSecretWhenAnotherSettingIsBad() throws IOException {
        // given
        Path file = yaml("c.yaml",
                "service.name: ingest",
                "api.password: hunter2",
                "kafka.sasl.jaas.config: secret-jaas",
                "ops.port: none");

        // when
        ConfigException e = loadFailing(Map.of(), Map.of(), file);

        // then
        assertThat(e.problems()).containsExactly(file + ":4: ops.port: 'none' is not an integer");
        assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("secret-jaas");
    }

    // ---- pass-through ----------------------------------------------------------------------

    @Test
    void shouldPassThroughKafkaKeysFromFileEnvironmentAndFlags() throws IOException {
        // given
        Path file = yaml("c.yaml",
                "service.name: ingest",
                "kafka:",
                "  security.protocol: SASL_SSL",
                "  sasl:",
                "    jaas.config: org.apache.kafka.common.security.plain.PlainLoginModule required;");
        Map<String, String> env = Map.of("INFERPULSE_KAFKA_SASL_MECHANISM", "PLAIN", "HOME", "/root");
        Map<String, String> flags = Map.of("kafka.acks", "all");

        // when
        Configuration config = load(flags, env, file);

        // then
        assertThat(config.withPrefix("kafka.")).isEqualTo(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                "sasl.mechanism", "PLAIN",
                "acks", "all"));
        assertThat(config.describe()).contains(
                "kafka.security.protocol = SASL_SSL  (" + file + ":3)",
                "kafka.sasl.jaas.config = ******  (" + file + ":5)",
                "kafka.sasl.mechanism = PLAIN  (environment variable INFERPULSE_KAFKA_SASL_MECHANISM)",
                "kafka.acks = all  (flag --set kafka.acks)");
    }

    @Test
    void shouldApplyPrecedenceToPassThroughKeysToo() throws IOException {
        // given
        Path file = yaml("c.yaml", "service.name: ingest", "kafka.acks: '1'", "kafka.linger.ms: 5",
                "kafka.compression.type: gzip");
        Map<String, String> env = Map.of("INFERPULSE_KAFKA_ACKS", "0", "INFERPULSE_KAFKA_LINGER_MS", "20");
        Map<String, String> flags = Map.of("kafka.acks", "all");

        // when
        Map<String, String> kafka = load(flags, env, file).withPrefix("kafka.");

        // then
        assertThat(kafka).containsEntry("acks", "all").containsEntry("linger.ms", "20")
                .containsEntry("compression.type", "gzip");
    }

    @Test
    void shouldMaskCredentialLikePassThroughKeysInDescribe() {
        // given
        Map<String, String> env = Map.of(
                "INFERPULSE_KAFKA_SASL_JAAS_CONFIG", "PlainLoginModule required username=\"u\" password=\"p4ss\";",
                "INFERPULSE_KAFKA_SSL_KEY_PASSWORD", "keypass",
                "INFERPULSE_KAFKA_SSL_KEYSTORE_KEY", "-----BEGIN PRIVATE KEY-----",
                "INFERPULSE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "reg-user:reg-pass",
                "INFERPULSE_SCHEMA_REGISTRY_BEARER_AUTH_TOKEN", "tok3n",
                "INFERPULSE_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET", "oauth-secret");

        // when
        Configuration config = load(REQUIRED, env, null);

        // then
        assertThat(config.describe()).contains(
                "kafka.sasl.jaas.config = ******  (environment variable INFERPULSE_KAFKA_SASL_JAAS_CONFIG)",
                "kafka.ssl.key.password = ******  (environment variable INFERPULSE_KAFKA_SSL_KEY_PASSWORD)",
                "kafka.ssl.keystore.key = ******  (environment variable INFERPULSE_KAFKA_SSL_KEYSTORE_KEY)",
                "schema.registry.basic.auth.user.info = ******  (environment variable"
                        + " INFERPULSE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO)",
                "schema.registry.bearer.auth.token = ******  (environment variable"
                        + " INFERPULSE_SCHEMA_REGISTRY_BEARER_AUTH_TOKEN)",
                "kafka.sasl.oauthbearer.client.secret = ******  (environment variable"
                        + " INFERPULSE_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET)");
        assertThat(String.join("\n", config.describe()))
                .doesNotContain("p4ss", "keypass", "PRIVATE KEY", "reg-pass", "tok3n", "oauth-secret");
        // while the clients still get the real values
        assertThat(config.withPrefix("kafka.")).containsEntry("ssl.key.password", "keypass");
        assertThat(config.withPrefix("schema.registry.")).containsEntry("basic.auth.user.info", "reg-user:reg-pass");
    }

    @Test
    void shouldIgnoreEnvironmentVariablesOutsideThePrefixes() {
        // given
        Map<String, String> env = Map.of("KAFKA_ACKS", "all", "INFERPULSE_KAFKA_", "x", "INFERPULSE_OTHER_THING", "y");

        // when
        Configuration config = load(REQUIRED, env, null);

        // then
        assertThat(config.withPrefix("kafka.")).isEmpty();
        assertThat(config.describe()).noneMatch(line -> line.startsWith("other.") || line.contains("KAFKA_ACKS"));
    }

    @Test
    void shouldNotTreatABarePrefixAsAPassThroughKey() {
        // when
        ConfigException e = loadFailing(Map.of("service.name", "x", "kafka.", "1"), Map.of(), null);

        // then
        assertThat(e.problems()).singleElement().asString().startsWith("flag --set kafka.: unknown setting");
    }

    @Test
    void shouldStripThePrefixInWithPrefixAndKeepOtherPrefixesApart() {
        // given
        Map<String, String> flags = Map.of("service.name", "x", "kafka.acks", "all",
                "schema.registry.url", "http://registry:8081", "schema.registry.basic.auth.user.info", "u:p");

        // when
        Configuration config = load(flags, Map.of(), null);

        // then
        assertThat(config.withPrefix("kafka.")).isEqualTo(Map.of("acks", "all"));
        assertThat(config.withPrefix("schema.registry."))
                .isEqualTo(Map.of("url", "http://registry:8081", "basic.auth.user.info", "u:p"));
        assertThat(config.withPrefix("nothing.")).isEmpty();
    }

    @Test
    void shouldIncludeDeclaredKeysUnderThePrefixInWithPrefix() {
        // given a declared parameter living under a pass-through prefix, as kafka.bootstrap.servers does
        ConfigParameter<String> bootstrap =
                ConfigParameter.of("kafka.bootstrap.servers", ConfigParsers.NON_EMPTY, "127.0.0.1:9092", "");

        // when
        Configuration byDefault = Configuration.load(List.of(bootstrap), PASS_THROUGH, Configuration.Sources.of(Map.of()));
        Configuration byEnv = Configuration.load(List.of(bootstrap), PASS_THROUGH, new Configuration.Sources(Map.of(),
                Map.of("INFERPULSE_KAFKA_BOOTSTRAP_SERVERS", "broker:9093"), Optional.empty()));

        // then
        assertThat(byDefault.withPrefix("kafka.")).isEqualTo(Map.of("bootstrap.servers", "127.0.0.1:9092"));
        assertThat(byEnv.get(bootstrap)).isEqualTo("broker:9093");
        assertThat(byEnv.withPrefix("kafka.")).isEqualTo(Map.of("bootstrap.servers", "broker:9093"));
        assertThat(byEnv.describe()).containsExactly(
                "kafka.bootstrap.servers = broker:9093  (environment variable INFERPULSE_KAFKA_BOOTSTRAP_SERVERS)");
    }

    @Test
    void shouldDeriveTheEnvironmentVariableOfAKey() {
        assertThat(SCRAPE_INTERVAL.envVar()).isEqualTo("INFERPULSE_SCRAPE_INTERVAL");
        assertThat(ConfigParameter.of("ops.bind-address", ConfigParsers.STRING, "", "").envVar())
                .isEqualTo("INFERPULSE_OPS_BIND_ADDRESS");
    }
}
