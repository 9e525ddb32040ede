package io.inferpulse.autoscaler.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK's HTTP server (as the ops server uses) in front of {@link MetricsApi}: HTTPS with the
 * client certificate requested but not required, because health probes come without one and
 * whether a request needs one is the API's decision, not the handshake's.
 */
final class MetricsApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsApiServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final boolean tls;

    private MetricsApiServer(HttpServer server, ExecutorService executor, boolean tls) {
        this.server = server;
        this.executor = executor;
        this.tls = tls;
    }

    /**
     * @param tls empty for plain HTTP, which only tests of the routes use
     * @param askForClientCertificate request (not require) a client certificate in the handshake
     */
    static MetricsApiServer start(String host, int port, Optional<SSLContext> tls, boolean askForClientCertificate,
                                  MetricsApi api, MetricsApiMetrics metrics) {
        try {
            InetSocketAddress address = new InetSocketAddress(host, port);
            HttpServer server;
            if (tls.isPresent()) {
                HttpsServer https = HttpsServer.create(address, 0);
                SSLContext context = tls.get();
                https.setHttpsConfigurator(new HttpsConfigurator(context) {
                    @Override
                    public void configure(HttpsParameters params) {
                        SSLParameters ssl = context.getDefaultSSLParameters();
                        ssl.setWantClientAuth(askForClientCertificate);
                        params.setSSLParameters(ssl);
                    }
                });
                server = https;
            } else {
                server = HttpServer.create(address, 0);
            }
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            server.setExecutor(executor);
            server.createContext("/", exchange -> serve(exchange, api, metrics));
            server.start();
            MetricsApiServer started = new MetricsApiServer(server, executor, tls.isPresent());
            LOG.info("External metrics API ({}) on {}", ApiDocuments.GROUP_VERSION, started.url());
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not listen on " + host + ":" + port + " for the external metrics API: "
                    + e.getMessage(), e);
        }
    }

    private static void serve(HttpExchange exchange, MetricsApi api, MetricsApiMetrics metrics) throws IOException {
        long start = System.nanoTime();
        ApiResponse response;
        MetricsApi.Route route = MetricsApi.Route.OTHER;
        try {
            ApiRequest request = request(exchange);
            route = MetricsApi.route(request);
            response = api.handle(request);
        } catch (IllegalArgumentException e) {
            response = ApiResponse.status(ApiStatus.badRequest("malformed request URI: " + e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("Failed to answer {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            response = ApiResponse.status(ApiStatus.internalError("internal error: " + e));
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(response.code(), head ? -1 : response.body().length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        } finally {
            exchange.close();
            metrics.request(route, response.code(), System.nanoTime() - start);
        }
    }

    private static ApiRequest request(HttpExchange exchange) {
        URI uri = exchange.getRequestURI();
        List<String> path = new ArrayList<>();
        for (String segment : uri.getRawPath().split("/")) {
            if (!segment.isEmpty()) {
                // A path is not a form: '+' is a plus sign here, only the query decodes it as a space.
                path.add(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        Map<String, String> query = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.putIfAbsent(key, value);
            }
        }
        Map<String, List<String>> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        return new ApiRequest(exchange.getRequestMethod(), path, query, headers, clientCertificates(exchange));
    }

    private static List<X509Certificate> clientCertificates(HttpExchange exchange) {
        if (!(exchange instanceof HttpsExchange https)) {
            return List.of();
        }
        try {
            Certificate[] chain = https.getSSLSession().getPeerCertificates();
            return Arrays.stream(chain).filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    URI url() {
        return URI.create((tls ? "https://" : "http://") + server.getAddress().getHostString() + ":" + port());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
