package io.inferpulse.runtime.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint every service exposes: Prometheus {@code /metrics}, {@code /healthz}
 * (liveness) and {@code /readyz} (readiness), with {@code ?verbose} listing each check.
 */
public final class OpsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
    private static final String OPENMETRICS = "application/openmetrics-text";

    private final HttpServer server;
    private final ExecutorService executor;
    private final String service;

    private OpsServer(HttpServer server, ExecutorService executor, String service) {
        this.server = server;
        this.executor = executor;
        this.service = service;
    }

    public static OpsServer start(String service, String host, int port, PrometheusMeterRegistry registry, HealthChecks health) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            server.setExecutor(executor);
            // A context matches every path that starts with its own (/healthz also gets /healthzz and
            // /healthz/x), so each handler answers its exact path only and 404s the rest.
            server.createContext("/metrics", exchange -> exactly("/metrics", exchange, () -> metrics(exchange, registry)));
            server.createContext("/healthz", exchange -> exactly("/healthz", exchange, () -> checks(exchange, health.live())));
            server.createContext("/livez", exchange -> exactly("/livez", exchange, () -> checks(exchange, health.live())));
            server.createContext("/readyz", exchange -> exactly("/readyz", exchange, () -> checks(exchange, health.ready())));
            server.createContext("/", OpsServer::notFound);
            server.start();
            OpsServer ops = new OpsServer(server, executor, service);
            LOG.info("{}: /metrics, /healthz and /readyz on {}", service, ops.url());
            return ops;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not listen on " + host + ":" + port + " for " + service
                    + "'s /metrics and health endpoints: " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI url() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        LOG.debug("{}: ops server stopped", service);
    }

    private interface Handler {
        void handle() throws IOException;
    }

    private static void exactly(String path, HttpExchange exchange, Handler handler) throws IOException {
        if (path.equals(exchange.getRequestURI().getPath())) {
            handler.handle();
        } else {
            notFound(exchange);
        }
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        respond(exchange, 404, "text/plain; charset=utf-8", "not found: try /metrics, /healthz or /readyz\n");
    }

    private static void metrics(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        String contentType = accept != null && accept.contains(OPENMETRICS)
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8";
        respond(exchange, 200, contentType, registry.scrape(contentType));
    }

    private static void checks(HttpExchange exchange, List<HealthChecks.Outcome> outcomes) throws IOException {
        boolean ok = outcomes.stream().allMatch(HealthChecks.Outcome::ok);
        String query = exchange.getRequestURI().getQuery();
        boolean verbose = !ok || (query != null && query.contains("verbose"));
        String body = verbose
                ? outcomes.stream().map(o -> o + "\n").collect(Collectors.joining())
                        + (ok ? "check passed\n" : "check failed\n")
                : "ok\n";
        respond(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", body);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
