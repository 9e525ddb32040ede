package io.inferpulse.routerfeed.epp;

import static io.inferpulse.runtime.config.ConfigParsers.BOOLEAN;
import static io.inferpulse.runtime.config.ConfigParsers.NON_EMPTY;
import static io.inferpulse.runtime.config.ConfigParsers.PORT;
import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.intAtLeast;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.ConfigParser;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.OpsSettings;
import io.inferpulse.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Settings of the Endpoint Picker Protocol server: where it listens, the one InferencePool it picks
 * for (an EPP is deployed per pool), how InferenceObjectives map to priorities, the body modes the
 * gateway's ext_proc filter is assumed to use when it does not say, and the limits.
 *
 * @param tls TLS of the ext_proc port (GIE's EPP serves TLS there, and gateways set up for it expect it)
 * @param pool the InferencePool answered for; every pick is made in this pool
 * @param objectives priority of each InferenceObjective named by the {@code x-gateway-inference-objective} header
 * @param requestBodyMode how the request body arrives when the gateway's first message does not say
 *     ({@code protocol_config}, sent by Envoy 1.34 and later)
 * @param responseBodyMode likewise for the response body
 * @param maxRequestBodyBytes a longer request body is refused with 413 rather than held in memory
 * @param drainTimeout at shutdown, how long open streams may run on before they are cancelled
 * @param clientId Kafka client id of the endpoint table the server answers from
 */
public record EppSettings(String host, int port, int healthPort, Tls tls, Pool pool, Objectives objectives, BodyMode requestBodyMode,
                          BodyMode responseBodyMode, int maxRequestBodyBytes, Duration drainTimeout, String clientId,
                          KafkaSettings kafka, OpsSettings ops) {
    /** GIE's EPP ports: ext_proc on 9002, gRPC health on 9003. */
    public static final int DEFAULT_PORT = 9002;
    public static final int DEFAULT_HEALTH_PORT = 9003;
    public static final int DEFAULT_HTTP_PORT = 9407;

    /**
     * TLS of the ext_proc port. Gateways reach GIE's EPP over TLS without verifying its certificate
     * (Istio's DestinationRule {@code tls.mode: SIMPLE, insecureSkipVerify}), so a certificate made at
     * start-up is enough there; health stays plaintext, as Kubernetes' gRPC probes need it.
     *
     * @param certFile with {@code keyFile} PEM files to serve; both empty for a self-signed certificate
     */
    public record Tls(boolean enabled, Optional<Path> certFile, Optional<Path> keyFile) {
        public Tls {
            Objects.requireNonNull(certFile, "certFile");
            Objects.requireNonNull(keyFile, "keyFile");
        }
    }

    /** The InferencePool a server picks for. */
    public record Pool(String cluster, String namespace, String name) {
        public Pool {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
        }

        /** {@code cluster/namespace/pool}, as the endpoint-scores topic groups endpoints. */
        public String key() {
            return Topics.poolKey(cluster, namespace, name);
        }
    }

    /**
     * How the gateway's ext_proc filter sends a body (its {@code processing_mode}). Envoy's STREAMED
     * mode is not among them: the request headers go upstream before the body arrives, so an
     * endpoint chosen from the body's model could no longer be set.
     */
    public enum BodyMode {
        /** GIE's mode: chunks as they arrive; the server answers the headers once the body is complete, then echoes the body. */
        FULL_DUPLEX_STREAMED,
        /** The whole body in one message, answered with one message that may still change the headers. */
        BUFFERED,
        /** No body is sent: the pick is made from the headers alone. */
        NONE
    }

    private static final ConfigParser<Optional<Path>> OPTIONAL_PATH = text -> text.isBlank() ? Optional.empty()
            : Optional.of(Path.of(text.strip()));

    private static final ConfigParser<BodyMode> BODY_MODE = text -> switch (text.strip().toLowerCase(Locale.ROOT)
            .replace('-', '_')) {
        case "full_duplex_streamed" -> BodyMode.FULL_DUPLEX_STREAMED;
        case "buffered", "buffered_partial" -> BodyMode.BUFFERED;
        case "none" -> BodyMode.NONE;
        case "streamed" -> throw new IllegalArgumentException("'" + text + "' cannot carry a pick made from the body: the "
                + "headers go upstream before it arrives; use full-duplex-streamed (as GIE) or buffered");
        default -> throw new IllegalArgumentException("'" + text + "' is not one of [full-duplex-streamed, buffered, none]");
    };

    public static final ConfigParameter<String> HOST = ConfigParameter.of("epp.host", NON_EMPTY, "0.0.0.0",
            "Address the ext_proc and gRPC health servers listen on");
    public static final ConfigParameter<Integer> PORT_PARAMETER = ConfigParameter.of("epp.port", PORT,
            String.valueOf(DEFAULT_PORT), "Port of the ext_proc (Endpoint Picker Protocol) gRPC server; 0 picks a free one");
    public static final ConfigParameter<Integer> HEALTH_PORT = ConfigParameter.of("epp.health-port", PORT,
            String.valueOf(DEFAULT_HEALTH_PORT), "Port of the grpc.health.v1 server; 0 picks a free one");
    public static final ConfigParameter<Boolean> SECURE_SERVING = ConfigParameter.of("epp.secure-serving", BOOLEAN, "false",
            "Serve ext_proc over TLS, as GIE's EPP does by default (health stays plaintext)");
    public static final ConfigParameter<Optional<Path>> TLS_CERT_FILE = ConfigParameter.of("epp.tls.cert-file", OPTIONAL_PATH, "",
            "PEM certificate chain of the ext_proc port; empty with epp.tls.key-file for a self-signed one");
    public static final ConfigParameter<Optional<Path>> TLS_KEY_FILE = ConfigParameter.of("epp.tls.key-file", OPTIONAL_PATH, "",
            "PEM private key of epp.tls.cert-file");
    public static final ConfigParameter<String> POOL_CLUSTER = ConfigParameter.of("pool.cluster", NON_EMPTY, "local",
            "Cluster of the InferencePool picked for (as the endpoint scores name it)");
    public static final ConfigParameter<String> POOL_NAMESPACE = ConfigParameter.of("pool.namespace", NON_EMPTY, "default",
            "Namespace of the InferencePool picked for");
    public static final ConfigParameter<String> POOL_NAME = ConfigParameter.of("pool.name", NON_EMPTY, "pool-0",
            "Name of the InferencePool picked for");
    public static final ConfigParameter<Objectives> OBJECTIVES = ConfigParameter.of("objectives", Objectives.PARSER, "",
            "InferenceObjective priorities, name=priority[,name=priority]; an objective not listed has priority 0");
    public static final ConfigParameter<BodyMode> REQUEST_BODY_MODE = ConfigParameter.of("epp.request-body-mode", BODY_MODE,
            "full-duplex-streamed", "Request body mode assumed when the gateway does not send protocol_config");
    public static final ConfigParameter<BodyMode> RESPONSE_BODY_MODE = ConfigParameter.of("epp.response-body-mode", BODY_MODE,
            "full-duplex-streamed", "Response body mode assumed when the gateway does not send protocol_config");
    public static final ConfigParameter<Integer> MAX_REQUEST_BODY_BYTES = ConfigParameter.of("epp.max-request-body-bytes",
            intAtLeast(1024), String.valueOf(10 * 1024 * 1024), "A longer request body is answered with 413");
    public static final ConfigParameter<Duration> DRAIN_TIMEOUT = ConfigParameter.of("epp.drain-timeout", POSITIVE_DURATION,
            "20s", "At shutdown, how long open streams may finish before they are cancelled");
    public static final ConfigParameter<String> CLIENT_ID = ConfigParameter.of("epp.client-id", NON_EMPTY, "inferpulse-picker",
            "Kafka client.id of the endpoint table");

    public EppSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(objectives, "objectives");
        Objects.requireNonNull(requestBodyMode, "requestBodyMode");
        Objects.requireNonNull(responseBodyMode, "responseBodyMode");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(ops, "ops");
    }

    public static List<ConfigParameter<?>> parameters() {
        return Stream.<List<ConfigParameter<?>>>of(List.of(HOST, PORT_PARAMETER, HEALTH_PORT, SECURE_SERVING,
                        TLS_CERT_FILE, TLS_KEY_FILE, POOL_CLUSTER, POOL_NAMESPACE,
                        POOL_NAME, OBJECTIVES, REQUEST_BODY_MODE, RESPONSE_BODY_MODE, MAX_REQUEST_BODY_BYTES, DRAIN_TIMEOUT,
                        CLIENT_ID), KafkaSettings.PARAMETERS, OpsSettings.parameters(DEFAULT_HTTP_PORT))
                .flatMap(List::stream).toList();
    }

    public static Set<String> passThroughPrefixes() {
        return KafkaSettings.PASS_THROUGH_PREFIXES;
    }

    /** Loads the settings from a map alone: for embedding the server and for tests. */
    public static EppSettings of(Map<String, String> settings) {
        return from(Configuration.load(parameters(), passThroughPrefixes(), Configuration.Sources.of(settings)));
    }

    public static EppSettings from(Configuration config) {
        int port = config.get(PORT_PARAMETER);
        int healthPort = config.get(HEALTH_PORT);
        if (port != 0 && port == healthPort) {
            throw new ConfigException(PORT_PARAMETER.key() + " and " + HEALTH_PORT.key() + " are both " + port
                    + ": ext_proc and gRPC health need a port each");
        }
        Optional<Path> cert = config.get(TLS_CERT_FILE);
        Optional<Path> key = config.get(TLS_KEY_FILE);
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException(TLS_CERT_FILE.key() + " and " + TLS_KEY_FILE.key()
                    + ": set both, or neither for a self-signed certificate");
        }
        if (cert.isPresent() && !config.get(SECURE_SERVING)) {
            throw new ConfigException(TLS_CERT_FILE.key() + " is set but " + SECURE_SERVING.key()
                    + " is false: set it to true to serve TLS with those files");
        }
        return new EppSettings(config.get(HOST), port, healthPort, new Tls(config.get(SECURE_SERVING), cert, key),
                new Pool(config.get(POOL_CLUSTER), config.get(POOL_NAMESPACE), config.get(POOL_NAME)), config.get(OBJECTIVES),
                config.get(REQUEST_BODY_MODE), config.get(RESPONSE_BODY_MODE), config.get(MAX_REQUEST_BODY_BYTES),
                config.get(DRAIN_TIMEOUT), config.get(CLIENT_ID), KafkaSettings.from(config),
                OpsSettings.from(config, DEFAULT_HTTP_PORT));
    }
}
