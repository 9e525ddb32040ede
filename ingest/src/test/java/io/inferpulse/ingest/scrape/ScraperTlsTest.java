package io.inferpulse.ingest.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.inferpulse.ingest.IngestMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scraping over TLS from a server whose certificate a private CA issued: a CA made here with the
 * JDK's keytool, as no certificate library is on the test classpath.
 */
class ScraperTlsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path pki;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(meters);
    private final Recorder recorder = new Recorder();
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** A CA, a server certificate it signs for 127.0.0.1, and an unrelated CA. */
    @BeforeAll
    static void issueCertificates() throws Exception {
        for (String ca : List.of("ca", "other-ca")) {
            keytool("-genkeypair", "-keystore", ca + ".p12", "-alias", ca, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=inferpulse test " + ca, "-ext", "bc:c", "-validity", "2");
            keytool("-exportcert", "-keystore", ca + ".p12", "-alias", ca, "-rfc", "-file", ca + ".pem");
        }
        keytool("-genkeypair", "-keystore", "server.p12", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-validity", "2");
        keytool("-certreq", "-keystore", "server.p12", "-alias", "server", "-file", "server.csr");
        keytool("-gencert", "-keystore", "ca.p12", "-alias", "ca", "-infile", "server.csr", "-outfile", "server.pem",
                "-rfc", "-ext", "san=ip:127.0.0.1", "-validity", "2");
        keytool("-importcert", "-keystore", "server.p12", "-alias", "ca", "-file", "ca.pem", "-noprompt");
        keytool("-importcert", "-keystore", "server.p12", "-alias", "server", "-file", "server.pem");
        // A bundle whose right CA is not the first certificate, as a mounted ca.crt bundle may be.
        Files.writeString(pki.resolve("bundle.pem"),
                Files.readString(pki.resolve("other-ca.pem")) + Files.readString(pki.resolve("ca.pem")));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void shouldScrapeATlsTargetWhoseCertificateChainsToACaInTheCaFile() throws Exception {
        // when a TLS target is scraped trusting the CA bundle
        ScrapeTarget target = scrape(Optional.of(pki.resolve("bundle.pem")), false);

        // then its samples arrive
        await().atMost(DEADLINE).until(() -> !recorder.scrapes(target).isEmpty());
        assertThat(errors("tls")).isZero();
    }

    @Test
    void shouldCountATlsErrorWithoutTheCaFile() throws Exception {
        // when the same target is scraped trusting only the JVM's default CAs
        scrape(Optional.empty(), false);

        // then every scrape fails the handshake and counts as a TLS error
        await().atMost(DEADLINE).until(() -> errors("tls") >= 2);
        assertThat(recorder.calls()).isEmpty();
    }

    @Test
    void shouldCountATlsErrorWhenTheCaFileHoldsAnotherCa() throws Exception {
        // when it is scraped trusting only a CA that did not issue its certificate
        scrape(Optional.of(pki.resolve("other-ca.pem")), false);

        // then the handshake fails
        await().atMost(DEADLINE).until(() -> errors("tls") >= 2);
        assertThat(recorder.calls()).isEmpty();
    }

    @Test
    void shouldCountATlsErrorWhenTheCaFileIsNotPem() throws Exception {
        // given a CA file that holds no certificate
        Path garbage = Files.writeString(pki.resolve("garbage.pem"), "not a certificate\n");

        // when a target is scraped with it
        scrape(Optional.of(garbage), false);

        // then its scrapes fail as TLS errors, and nothing is sent without the intended trust
        await().atMost(DEADLINE).until(() -> errors("tls") >= 2);
        assertThat(recorder.calls()).isEmpty();
    }

    @Test
    void shouldAcceptTheCertificateUnverifiedWhenToldToSkipVerification() throws Exception {
        // when the target is scraped with verification off and no CA
        ScrapeTarget target = scrape(Optional.empty(), true);

        // then it is scraped all the same
        await().atMost(DEADLINE).until(() -> !recorder.scrapes(target).isEmpty());
    }

    private ScrapeTarget scrape(Optional<Path> caFile, boolean insecure) throws Exception {
        FakeTarget server = new FakeTarget(httpsServer());
        resources.add(server);
        ScrapeTarget target = ScraperTest.target(server.url("/metrics"), "pool", "pod-0",
                new ScrapeProfile(Duration.ofMillis(100), Duration.ofMillis(100), Optional.empty(), caFile, insecure));
        Scraper scraper = new Scraper(new ScrapeSettings(ScrapeProfile.defaults(), 8, 1 << 20, Duration.ZERO), recorder,
                recorder.deadLetters(meters), metrics, Clock.systemUTC());
        resources.add(scraper);
        scraper.setTargets(List.of(target));
        return target;
    }

    private static HttpsServer httpsServer() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.resolve("server.p12"))) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return server;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD)));
        command.addAll(1, List.of(args));
        Process process = new ProcessBuilder(command).directory(pki.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
    }

    private double errors(String reason) {
        return meters.get("inferpulse_scrape_errors").tag("reason", reason).counter().count();
    }
}
