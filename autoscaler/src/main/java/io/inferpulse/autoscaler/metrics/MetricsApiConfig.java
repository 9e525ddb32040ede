package io.inferpulse.autoscaler.metrics;

import static io.inferpulse.runtime.config.ConfigParsers.LIST;
import static io.inferpulse.runtime.config.ConfigParsers.NON_EMPTY;
import static io.inferpulse.runtime.config.ConfigParsers.PORT;
import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.STRING;
import static io.inferpulse.runtime.config.ConfigParsers.enumOf;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.ConfigParser;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.OpsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Settings of the external metrics API server.
 *
 * @param tlsCertFile with {@code tlsKeyFile} the serving certificate; both empty for a self-signed one
 * @param selfSignedHosts DNS names and addresses of the self-signed certificate
 * @param requestHeaderCaFile the front-proxy CA; empty to read it from the extension-apiserver-authentication ConfigMap
 * @param allowedNames common names the aggregator's certificate may have; empty for the ConfigMap's (empty there: any)
 * @param clientCaFile the cluster's client CA; empty for the ConfigMap's
 */
public record MetricsApiConfig(String host, int port, Optional<Path> tlsCertFile, Optional<Path> tlsKeyFile,
                               List<String> selfSignedHosts, AuthMode authMode, Optional<Path> requestHeaderCaFile,
                               List<String> allowedNames, Optional<Path> clientCaFile, Duration authorizationCacheTtl,
                               Staleness staleness, String clientId, KafkaSettings kafka, OpsSettings ops) {
    public static final int DEFAULT_HTTP_PORT = 9404;

    /** Whether callers are authenticated and authorized. */
    public enum AuthMode {
        /** The requestheader client CA and SubjectAccessReviews, as in a cluster behind the kube-aggregator. */
        CLUSTER,
        /** Anyone may read anything: for a laptop, the demo and tests; never in a cluster. */
        INSECURE_LOCAL
    }

    private static final ConfigParser<Optional<Path>> OPTIONAL_PATH = text -> text.isBlank() ? Optional.empty() : Optional.of(Path.of(text.strip()));
    private static final ConfigParser<Double> FINITE = text -> {
        try {
            double v = Double.parseDouble(text.strip());
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("'" + text + "' must be a finite number");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
    };

    public static final ConfigParameter<String> HOST = ConfigParameter.of("metrics-api.host", NON_EMPTY, "0.0.0.0",
            "Address the external metrics API (HTTPS) listens on");
    public static final ConfigParameter<Integer> PORT_PARAMETER = ConfigParameter.of("metrics-api.port", PORT, "6443",
            "Port of the external metrics API (HTTPS); 0 picks a free one");
    public static final ConfigParameter<Optional<Path>> TLS_CERT_FILE = ConfigParameter.of("tls.cert-file", OPTIONAL_PATH, "",
            "PEM serving certificate (then any intermediates); empty with tls.key-file for a self-signed one");
    public static final ConfigParameter<Optional<Path>> TLS_KEY_FILE = ConfigParameter.of("tls.key-file", OPTIONAL_PATH, "",
            "PEM private key of tls.cert-file (PKCS#8, PKCS#1 or SEC1)");
    public static final ConfigParameter<List<String>> SELF_SIGNED_HOSTS = ConfigParameter.of("tls.self-signed.hosts", LIST,
            "localhost,127.0.0.1", "DNS names and addresses of the self-signed certificate");
    public static final ConfigParameter<AuthMode> AUTH_MODE = ConfigParameter.of("auth.mode", enumOf(AuthMode.class), "cluster",
            "cluster (requestheader client CA + SubjectAccessReview) or insecure-local (no authentication: never in a cluster)");
    public static final ConfigParameter<Optional<Path>> REQUESTHEADER_CA_FILE = ConfigParameter.of(
            "auth.requestheader.client-ca-file", OPTIONAL_PATH, "",
            "PEM CA of the aggregator's client certificate; empty to read kube-system/extension-apiserver-authentication");
    public static final ConfigParameter<List<String>> ALLOWED_NAMES = ConfigParameter.of("auth.requestheader.allowed-names",
            LIST, "", "Common names the aggregator's certificate may have; empty for the ConfigMap's list (empty there: any)");
    public static final ConfigParameter<Optional<Path>> CLIENT_CA_FILE = ConfigParameter.of("auth.client-ca-file", OPTIONAL_PATH,
            "", "PEM CA of users' own client certificates; empty for the ConfigMap's client-ca-file");
    public static final ConfigParameter<Duration> AUTHZ_CACHE_TTL = ConfigParameter.of("auth.cache.ttl", POSITIVE_DURATION, "10s",
            "How long a SubjectAccessReview's answer is reused");
    public static final ConfigParameter<Duration> STALENESS_MAX_AGE = ConfigParameter.of("staleness.max-age", POSITIVE_DURATION,
            "30s", "A value computed longer ago than this is not served as current");
    public static final ConfigParameter<Staleness.Mode> STALENESS_MODE = ConfigParameter.of("staleness.mode",
            enumOf(Staleness.Mode.class), "error", "error (a Status HPA logs; it keeps the replica count) or fallback");
    public static final ConfigParameter<Double> STALENESS_FALLBACK = ConfigParameter.of("staleness.fallback-value", FINITE, "0",
            "Value served instead of a stale one when staleness.mode=fallback");
    public static final ConfigParameter<String> CLIENT_ID = ConfigParameter.of("metrics-api.client-id", NON_EMPTY,
            "inferpulse-metrics-api", "Kafka client.id prefix of the stats readers");

    public static List<ConfigParameter<?>> parameters() {
        return Stream.<List<ConfigParameter<?>>>of(List.of(HOST, PORT_PARAMETER, TLS_CERT_FILE, TLS_KEY_FILE, SELF_SIGNED_HOSTS,
                        AUTH_MODE, REQUESTHEADER_CA_FILE, ALLOWED_NAMES, CLIENT_CA_FILE, AUTHZ_CACHE_TTL, STALENESS_MAX_AGE,
                        STALENESS_MODE, STALENESS_FALLBACK, CLIENT_ID),
                KafkaSettings.PARAMETERS, OpsSettings.parameters(DEFAULT_HTTP_PORT)).flatMap(List::stream).toList();
    }

    public static Set<String> passThroughPrefixes() {
        return KafkaSettings.PASS_THROUGH_PREFIXES;
    }

    /** Loads the configuration from settings alone: for embedding the service and for tests. */
    public static MetricsApiConfig of(Map<String, String> settings) {
        return from(Configuration.load(parameters(), passThroughPrefixes(), Configuration.Sources.of(settings)));
    }

    public static MetricsApiConfig from(Configuration config) {
        Optional<Path> cert = config.get(TLS_CERT_FILE);
        Optional<Path> key = config.get(TLS_KEY_FILE);
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException(List.of(TLS_CERT_FILE.key() + " and " + TLS_KEY_FILE.key()
                    + ": set both, or neither for a self-signed certificate"));
        }
        Staleness staleness = config.get(STALENESS_MODE) == Staleness.Mode.ERROR
                ? Staleness.error(config.get(STALENESS_MAX_AGE))
                : Staleness.fallback(config.get(STALENESS_MAX_AGE), config.get(STALENESS_FALLBACK));
        return new MetricsApiConfig(config.get(HOST), config.get(PORT_PARAMETER), cert, key, config.get(SELF_SIGNED_HOSTS),
                config.get(AUTH_MODE), config.get(REQUESTHEADER_CA_FILE), config.get(ALLOWED_NAMES), config.get(CLIENT_CA_FILE),
                config.get(AUTHZ_CACHE_TTL), staleness, config.get(CLIENT_ID), KafkaSettings.from(config),
                OpsSettings.from(config, DEFAULT_HTTP_PORT));
    }
}
