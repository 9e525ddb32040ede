package io.inferpulse.autoscaler.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.OptionalDouble;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an external metric the way the HPA controller does: {@code GET
 * /apis/external.metrics.k8s.io/v1beta1/namespaces/NS/METRIC?labelSelector=...}, the items' values
 * summed. Trusts only the given serving certificate.
 */
public final class ExternalMetricsClient {
    private static final Logger LOG = LoggerFactory.getLogger(ExternalMetricsClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;

    public ExternalMetricsClient(URI base, X509Certificate serving) {
        this.base = base;
        this.http = HttpClient.newBuilder().sslContext(trusting(serving)).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** The summed value, or empty (logged) when the API answers with an error or no items, as HPA then skips the metric. */
    public OptionalDouble value(String namespace, String metric, String labelSelector) {
        URI uri = base.resolve("/apis/" + ApiDocuments.GROUP_VERSION + "/namespaces/" + namespace + "/" + metric
                + "?labelSelector=" + URLEncoder.encode(labelSelector, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOG.warn("External metric {} {}: HTTP {} {}", metric, labelSelector, response.statusCode(), response.body());
                return OptionalDouble.empty();
            }
            JsonNode items = JSON.readTree(response.body()).path("items");
            if (items.isEmpty()) {
                return OptionalDouble.empty();
            }
            double sum = 0;
            for (JsonNode item : items) {
                sum += Quantity.parse(item.path("value").asText()).getNumericalAmount().doubleValue();
            }
            return OptionalDouble.of(sum);
        } catch (IOException e) {
            LOG.warn("External metric {} {}: {}", metric, labelSelector, e.toString());
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
    }

    private static SSLContext trusting(X509Certificate certificate) {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("serving", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot trust the metrics API's certificate: " + e.getMessage(), e);
        }
    }
}
