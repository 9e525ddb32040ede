package io.inferpulse.ingest.scrape;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP client per trust configuration, shared by every target that uses it, so that a
 * thousand targets share a handful of connection pools and selector threads rather than owning
 * one each. A client is made when a scrape first needs it; a CA file that cannot be used fails
 * those scrapes as TLS errors and is tried again on the next one, so fixing the file is enough.
 */
final class HttpClients implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpClients.class);

    private final Executor executor;
    private final Map<ScrapeProfile.Tls, HttpClient> clients = new ConcurrentHashMap<>();
    /** Trust configurations whose problem was logged, so that it is logged once and not once per scrape. */
    private final Set<ScrapeProfile.Tls> reported = ConcurrentHashMap.newKeySet();

    HttpClients(Executor executor) {
        this.executor = executor;
    }

    /** The client for a trust configuration. */
    HttpClient client(ScrapeProfile.Tls tls) throws IOException, GeneralSecurityException {
        HttpClient client = clients.get(tls);
        if (client != null) {
            return client;
        }
        synchronized (clients) {
            client = clients.get(tls);
            if (client == null) {
                try {
                    client = build(tls);
                } catch (IOException | GeneralSecurityException e) {
                    if (reported.add(tls)) {
                        LOG.warn("Cannot use CA file {} for scraping: {}", tls.caFile().orElseThrow(), e.toString());
                    }
                    throw e;
                }
                reported.remove(tls);
                clients.put(tls, client);
            }
            return client;
        }
    }

    private HttpClient build(ScrapeProfile.Tls tls) throws IOException, GeneralSecurityException {
        // HTTP/1.1 because the JDK would otherwise offer every plain-http target an h2c upgrade,
        // an extra header and round of negotiation that model servers do not take up anyway.
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor);
        if (tls.insecureSkipVerify()) {
            LOG.warn("TLS CERTIFICATE VERIFICATION IS DISABLED for some scrape targets (insecure skip verify): "
                    + "anyone on the network path can impersonate them, read their bearer token and forge their metrics");
            builder.sslContext(context(new TrustManager[] {new TrustingAnyone()}));
        } else if (tls.caFile().isPresent()) {
            builder.sslContext(context(trusting(tls.caFile().get())));
        }
        return builder.build();
    }

    private static SSLContext context(TrustManager[] trustManagers) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers, null);
        return context;
    }

    /** Trust managers that accept chains ending in one of the file's certificates and nothing else, as Prometheus's ca_file. */
    private static TrustManager[] trusting(Path caFile) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certificates.isEmpty()) {
            throw new CertificateException("no PEM certificate in " + caFile);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates) {
            store.setCertificateEntry("ca-" + i++, certificate);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    @Override
    public void close() {
        clients.values().forEach(HttpClient::shutdownNow);
        clients.clear();
    }

    /**
     * Accepts any certificate for any host. It has to be an extended trust manager: JSSE wraps a
     * plain one in a wrapper that still checks the host name against the certificate.
     */
    private static final class TrustingAnyone extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
