package io.inferpulse.autoscaler.metrics;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.inferpulse.runtime.kafka.BrokerReachability;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.registry.WaitingRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The external metrics API as a service: the stats tables from Kafka, TLS, access control, the
 * HTTPS server, and their health checks and metrics.
 */
public final class MetricsApiService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsApiService.class);

    private final Deque<AutoCloseable> resources;
    private final MetricsApiServer server;
    private final ServingTls.KeyMaterial serving;

    private MetricsApiService(Deque<AutoCloseable> resources, MetricsApiServer server, ServingTls.KeyMaterial serving) {
        this.resources = resources;
        this.server = server;
        this.serving = serving;
    }

    public static MetricsApiService start(MetricsApiConfig config, MeterRegistry meters, HealthChecks health) {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            TopicSetup.ensure(config.kafka(), Topics.specs(Topics.POOL_STATS, Topics.MODEL_STATS));
            // The view reads with its own assignment, so it can wait out a registry outage on the record it is at.
            WaitingRegistryClient registry = new WaitingRegistryClient(SchemaRegistryClients.create(
                    RegistryClientConfig.fromSerdeConfig(config.kafka().registryConfig())), WaitingRegistryClient.UNTIL_CLOSED);
            health.addReadiness("schema-registry", registry::outage);
            BrokerReachability broker = BrokerReachability.watch(config.kafka(), config.clientId());
            resources.push(broker);
            health.addReadiness("kafka", broker::problem);
            StatsView view;
            try {
                view = StatsView.start(config.kafka(), new Topics(new AvroSerdes(registry)), config.clientId());
            } catch (RuntimeException e) {
                registry.close();
                throw e;
            }
            resources.push(view);
            // Closed before the view: a view thread waiting for the registry wakes only when its client closes.
            resources.push(registry);
            health.addReadiness("stats-tables", view::notReady);
            health.addLiveness("stats-readers", view::notLive);

            MetricsApiMetrics metrics = new MetricsApiMetrics(meters);
            metrics.watchNewest(view, Clock.systemUTC());

            ServingTls.KeyMaterial serving = config.tlsCertFile().isPresent()
                    ? ServingTls.load(config.tlsCertFile().get(), config.tlsKeyFile().orElseThrow())
                    : ServingTls.selfSigned(config.selfSignedHosts());
            if (config.tlsCertFile().isPresent()) {
                LOG.info("Serving certificate {} from {}, SHA-256 fingerprint {}", serving.certificate().getSubjectX500Principal(),
                        config.tlsCertFile().get(), serving.fingerprint());
            } else {
                LOG.info("No tls.cert-file: serving a self-signed certificate for {}, SHA-256 fingerprint {}",
                        config.selfSignedHosts(), serving.fingerprint());
            }

            AccessControl access;
            List<X509Certificate> clientCas;
            if (config.authMode() == MetricsApiConfig.AuthMode.INSECURE_LOCAL) {
                if (!loopback(config.host())) {
                    LOG.warn("auth.mode=insecure-local on {}: anyone who can reach this address reads every metric without "
                            + "authentication", config.host());
                } else {
                    LOG.info("auth.mode=insecure-local: no client authentication or authorization");
                }
                access = AccessControl.insecureLocal();
                clientCas = List.of();
            } else {
                KubernetesClient kubernetes = new KubernetesClientBuilder().build();
                resources.push(kubernetes);
                RequestHeaderAuthentication trust = trust(config, kubernetes);
                LOG.info("auth.mode=cluster: requestheader CA {}, allowed names {}, SubjectAccessReviews cached {}",
                        trust.requestHeaderCas().stream().map(c -> c.getSubjectX500Principal().getName()).toList(),
                        trust.allowedNames().isEmpty() ? "any" : trust.allowedNames(), config.authorizationCacheTtl());
                access = new DelegatedAccessControl(trust, kubernetes, config.authorizationCacheTtl(), Clock.systemUTC());
                clientCas = trust.allCas();
            }
            SSLContext tls = ServingTls.context(serving, clientCas);
            MetricsApi api = new MetricsApi(new MetricsQuery(view, config.staleness(), Clock.systemUTC(), metrics), health, access);
            MetricsApiServer server = MetricsApiServer.start(config.host(), config.port(), Optional.of(tls), !clientCas.isEmpty(),
                    api, metrics);
            resources.push(server);
            return new MetricsApiService(resources, server, serving);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /** Explicit files first, then the ConfigMap Kubernetes keeps for aggregated API servers. */
    private static RequestHeaderAuthentication trust(MetricsApiConfig config, KubernetesClient kubernetes) {
        Function<Path, List<X509Certificate>> read = file -> {
            List<X509Certificate> cas = ServingTls.certificates(readFile(file), file.toString());
            if (cas.isEmpty()) {
                throw new IllegalArgumentException(file + ": no PEM certificate found");
            }
            return cas;
        };
        Optional<List<X509Certificate>> requestHeaderCas = config.requestHeaderCaFile().map(read);
        Optional<List<X509Certificate>> clientCas = config.clientCaFile().map(read);
        Optional<ConfigMap> configMap = Optional.empty();
        if (requestHeaderCas.isEmpty() || config.allowedNames().isEmpty() || clientCas.isEmpty()) {
            configMap = Optional.ofNullable(kubernetes.configMaps().inNamespace(RequestHeaderAuthentication.CONFIG_MAP_NAMESPACE)
                    .withName(RequestHeaderAuthentication.CONFIG_MAP_NAME).get());
        }
        Set<String> names = new HashSet<>(config.allowedNames());
        return RequestHeaderAuthentication.from(configMap, requestHeaderCas,
                names.isEmpty() ? Optional.empty() : Optional.of(names), clientCas);
    }

    private static String readFile(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Where the API listens, e.g. {@code https://127.0.0.1:6443}. */
    public URI url() {
        return server.url();
    }

    public int port() {
        return server.port();
    }

    /** SHA-256 fingerprint of the serving certificate. */
    public String certificateFingerprint() {
        return serving.fingerprint();
    }

    /** The serving certificate, for a client in the same process to trust, self-signed or not. */
    public X509Certificate certificate() {
        return serving.certificate();
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.error("Error while closing {}", r.getClass().getSimpleName(), e);
            }
        }
    }
}
