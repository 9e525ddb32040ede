package io.inferpulse.autoscaler.metrics;

import static io.inferpulse.autoscaler.metrics.StatsStack.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.inferpulse.kube.MockApiServer;
import io.inferpulse.runtime.ops.HealthChecks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * In-cluster mode: the aggregator proves itself with a front-proxy client certificate and names the
 * user in X-Remote-User; a SubjectAccessReview (answered by fabric8's mock API server) decides.
 */
class DelegatedAccessControlTest {
    private static final String KV = "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/"
            + "inference_pool_average_kv_cache_utilization?labelSelector=name%3Dpool-0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<SubjectAccessReview> REVIEWS = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final MockApiServer KUBERNETES = MockApiServer.expectations();

    private static MetricsApiServer server;
    private static ServingTls.KeyMaterial serving;
    private static TestPki.Issued frontProxyCa;
    private static TestPki.Issued clusterCa;
    private static TestPki.Issued aggregator;

    @BeforeAll
    static void start() throws Exception {
        // The API server's answer: bob may read metrics in "default", nobody else anywhere.
        KUBERNETES.server().expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(201, request -> {
            SubjectAccessReview review = Serialization.unmarshal(request.getUtf8Body(), SubjectAccessReview.class);
            REVIEWS.add(review);
            boolean allowed = review.getSpec().getUser().equals("bob")
                    && review.getSpec().getResourceAttributes().getNamespace().equals("default");
            return new SubjectAccessReviewBuilder(review).withNewStatus().withAllowed(allowed)
                    .withReason(allowed ? "RBAC: allowed by ClusterRoleBinding" : "").endStatus().build();
        }).always();

        frontProxyCa = TestPki.ca("CN=front-proxy-ca");
        clusterCa = TestPki.ca("CN=kubernetes-ca");
        aggregator = frontProxyCa.issue("CN=front-proxy-client", false);
        RequestHeaderAuthentication trust = new RequestHeaderAuthentication(List.of(frontProxyCa.certificate()),
                Set.of("front-proxy-client"), RequestHeaderAuthentication.DEFAULT_USERNAME_HEADERS,
                RequestHeaderAuthentication.DEFAULT_GROUP_HEADERS, List.of(clusterCa.certificate()));

        FixedStats stats = new FixedStats();
        stats.pools.add(pool("c1", "default", "pool-0", Instant.now(), 0.5, 1, 1));
        stats.pools.add(pool("c1", "team-b", "pool-0", Instant.now(), 0.5, 1, 1));
        MetricsApiMetrics metrics = new MetricsApiMetrics(new SimpleMeterRegistry());
        serving = ServingTls.selfSigned(List.of("127.0.0.1"));
        server = MetricsApiServer.start("127.0.0.1", 0, Optional.of(ServingTls.context(serving, trust.allCas())), true,
                new MetricsApi(new MetricsQuery(stats, Staleness.error(Duration.ofMinutes(1)), Clock.systemUTC(), metrics),
                        new HealthChecks(), new DelegatedAccessControl(trust, KUBERNETES.client(), Duration.ofMinutes(1), Clock.systemUTC())),
                metrics);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(SSLContext tls, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HttpClient.newBuilder().sslContext(tls).build().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode status(HttpResponse<String> response) throws IOException {
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.get("kind").asText()).isEqualTo("Status");
        assertThat(status.get("code").asInt()).isEqualTo(response.statusCode());
        return status;
    }

    @Test
    void shouldRefuseARequestWithoutAClientCertificate() throws Exception {
        HttpResponse<String> response = get(TestPki.clientContext(serving.certificate()), KV, "X-Remote-User", "bob");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(status(response).get("message").asText()).contains("client certificate is required");
        assertThat(get(TestPki.clientContext(serving.certificate()), "/apis").statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRefuseAClientCertificateFromAnUnknownCaInTheHandshake() throws Exception {
        TestPki.Issued stranger = TestPki.ca("CN=someone-else").issue("CN=front-proxy-client", false);

        assertThatThrownBy(() -> get(stranger.clientContext(serving.certificate()), KV, "X-Remote-User", "bob"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseAFrontProxyCertificateWhoseNameIsNotAllowed() throws Exception {
        TestPki.Issued other = frontProxyCa.issue("CN=not-the-aggregator", false);

        HttpResponse<String> response = get(other.clientContext(serving.certificate()), KV, "X-Remote-User", "bob");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(status(response).get("message").asText()).contains("not-the-aggregator", "front-proxy-client");
    }

    @Test
    void shouldAnswer403WhenTheSubjectAccessReviewDenies() throws Exception {
        HttpResponse<String> response = get(aggregator.clientContext(serving.certificate()), KV,
                "X-Remote-User", "mallory", "X-Remote-Group", "system:authenticated");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(status(response).get("reason").asText()).isEqualTo("Forbidden");
        assertThat(status(response).get("message").asText()).contains("User \"mallory\"",
                "inference_pool_average_kv_cache_utilization", "namespace \"default\"");
        SubjectAccessReview asked = REVIEWS.stream().filter(r -> r.getSpec().getUser().equals("mallory")).findFirst().orElseThrow();
        assertThat(asked.getSpec().getGroups()).containsExactly("system:authenticated");
        assertThat(asked.getSpec().getResourceAttributes().getVerb()).isEqualTo("get");
        assertThat(asked.getSpec().getResourceAttributes().getGroup()).isEqualTo("external.metrics.k8s.io");
        assertThat(asked.getSpec().getResourceAttributes().getResource()).isEqualTo("inference_pool_average_kv_cache_utilization");
    }

    @Test
    void shouldServeTheUserTheReviewAllowsAndCacheTheAnswer() throws Exception {
        SSLContext tls = aggregator.clientContext(serving.certificate());
        String team = KV.replace("/default/", "/team-b/");

        HttpResponse<String> allowed = get(tls, KV, "X-Remote-User", "bob");
        HttpResponse<String> again = get(tls, KV, "X-Remote-User", "bob");
        HttpResponse<String> elsewhere = get(tls, team, "X-Remote-User", "bob");

        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(allowed.body()).at("/items/0/value").asText()).isEqualTo("500m");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(elsewhere.statusCode()).isEqualTo(403);
        assertThat(REVIEWS.stream().filter(r -> r.getSpec().getUser().equals("bob")
                && r.getSpec().getResourceAttributes().getNamespace().equals("default"))).as("one review, then the cache").hasSize(1);
    }

    @Test
    void shouldTakeAUserFromAClusterClientCertificateWhenCalledDirectly() throws Exception {
        TestPki.Issued bob = clusterCa.issue("CN=bob,O=developers", false);

        HttpResponse<String> response = get(bob.clientContext(serving.certificate()), KV);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(REVIEWS.stream().filter(r -> r.getSpec().getGroups().contains("developers"))).isNotEmpty();
    }

    @Test
    void shouldRefuseTheAggregatorWithoutAUserHeader() throws Exception {
        HttpResponse<String> response = get(aggregator.clientContext(serving.certificate()), KV);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(status(response).get("message").asText()).contains("X-Remote-User");
    }

    @Test
    void shouldLeaveHealthPathsOpen() throws Exception {
        SSLContext anonymous = TestPki.clientContext(serving.certificate());
        for (String path : List.of("/healthz", "/livez", "/readyz")) {
            assertThat(get(anonymous, path).statusCode()).as(path).isEqualTo(200);
        }
    }
}
