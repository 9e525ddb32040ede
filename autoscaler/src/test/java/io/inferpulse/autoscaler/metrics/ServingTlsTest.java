package io.inferpulse.autoscaler.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.runtime.ops.HealthChecks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a certificate from files or one made at start-up. */
class ServingTlsTest {
    private static MetricsApiServer start(ServingTls.KeyMaterial serving) {
        MetricsApiMetrics metrics = new MetricsApiMetrics(new SimpleMeterRegistry());
        MetricsQuery query = new MetricsQuery(new FixedStats(), Staleness.error(Duration.ofMinutes(1)), Clock.systemUTC(), metrics);
        return MetricsApiServer.start("127.0.0.1", 0, Optional.of(ServingTls.context(serving, List.of())), false,
                new MetricsApi(query, new HealthChecks(), AccessControl.insecureLocal()), metrics);
    }

    private static HttpResponse<String> get(SSLContext client, URI url) throws Exception {
        return HttpClient.newBuilder().sslContext(client).build()
                .send(HttpRequest.newBuilder(url.resolve("/apis")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static X509Certificate presented(HttpResponse<String> response) throws Exception {
        SSLSession session = response.sslSession().orElseThrow();
        return (X509Certificate) session.getPeerCertificates()[0];
    }

    @Test
    void shouldServeHttpsWithASelfSignedCertificateForTheGivenNamesWhenNoneIsGiven() throws Exception {
        // given
        ServingTls.KeyMaterial self = ServingTls.selfSigned(List.of("localhost", "127.0.0.1", "metrics.inferpulse.svc"));

        try (MetricsApiServer server = start(self)) {
            // when: a client that trusts exactly that certificate, and checks the host name against it
            HttpResponse<String> response = get(TestPki.clientContext(self.certificate()), server.url());

            // then
            assertThat(server.url().getScheme()).isEqualTo("https");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(ServingTls.KeyMaterial.fingerprint(presented(response))).isEqualTo(self.fingerprint());
            assertThat(self.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
            assertThat(self.certificate().getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
                    .containsExactly("localhost", "127.0.0.1", "metrics.inferpulse.svc");
        }
    }

    @Test
    void shouldServeTheKeyAndCertificateFromPemFiles(@TempDir Path dir) throws Exception {
        // given: a serving certificate for 127.0.0.1 written as PEM, its key as PKCS#8 ("PRIVATE KEY")
        TestPki.Issued ca = TestPki.ca("CN=test-serving-ca");
        ServingTls.KeyMaterial issued = ServingTls.selfSigned(List.of("127.0.0.1"));
        Path cert = Files.writeString(dir.resolve("tls.crt"), TestPki.pem(issued.certificate()));
        Path key = Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(issued.key().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        // and an RSA key in PKCS#1 ("RSA PRIVATE KEY"), as older tooling writes them
        List<Path> rsa = ca.write(dir, "rsa");
        assertThat(Files.readString(rsa.get(1))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(ServingTls.load(rsa.get(0), rsa.get(1)).key()).isEqualTo(ca.keys().getPrivate());

        // when
        ServingTls.KeyMaterial loaded = ServingTls.load(cert, key);
        try (MetricsApiServer server = start(loaded)) {
            HttpResponse<String> response = get(TestPki.clientContext(issued.certificate()), server.url());

            // then: the file's certificate is the one presented
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(presented(response)).isEqualTo(issued.certificate());
            // and a client trusting something else refuses the server
            assertThatThrownBy(() -> get(TestPki.clientContext(ca.certificate()), server.url()))
                    .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class)
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void shouldSayWhichFileIsNotPem(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), "not a certificate");
        Path key = Files.writeString(dir.resolve("tls.key"), "not a key");

        assertThatThrownBy(() -> ServingTls.load(cert, key)).hasMessageContaining(cert.toString());
    }
}
