package io.inferpulse.devstack.fleet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The HTTP side of one simulated pod: {@code GET /metrics} on 127.0.0.1, plus the test hooks that make it misbehave.
 *
 * <p>The port is taken when the pod is created, so the pod's address is known before anything starts; {@link #stop()}
 * gives the port up and {@link #start()} takes the same one again, like a restarted container keeping its pod IP.
 */
final class PodServer implements AutoCloseable {

    private final Supplier<PodSnapshot> snapshots;
    private final FleetConfig.Pod config;
    private final ExecutorService executor;
    private final InetSocketAddress address;

    private volatile String rawBody;
    private volatile MetricsPin pin;

    /** Bound since construction or the last {@link #start()}; {@code null} after {@link #stop()}. Guarded by this. */
    private HttpServer server;
    /** Guarded by {@code this}. */
    private boolean serving;

    PodServer(Supplier<PodSnapshot> snapshots, FleetConfig.Pod config, ExecutorService executor) {
        this.snapshots = snapshots;
        this.config = config;
        this.executor = executor;
        this.server = bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.address = server.getAddress();
    }

    /** {@code 127.0.0.1:port}. */
    String address() {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** Serves {@code /metrics}, after a {@link #stop()} on the same port again; a no-op while serving. */
    synchronized void start() {
        if (serving) {
            return;
        }
        if (server == null) {
            server = bind(address);
        }
        server.start();
        serving = true;
    }

    /** Closes the listening socket and open connections, so new connections are refused. */
    synchronized void stop() {
        if (server != null) {
            // A bound server that never started has no dispatcher to stop; closing it still frees the port.
            server.stop(0);
            server = null;
        }
        serving = false;
    }

    @Override
    public void close() {
        stop();
    }

    void serveRaw(String body) {
        rawBody = body;
    }

    void serveNormal() {
        rawBody = null;
    }

    void pin(MetricsPin pin) {
        this.pin = pin;
    }

    void unpin() {
        pin = null;
    }

    private HttpServer bind(InetSocketAddress at) {
        try {
            HttpServer bound = HttpServer.create(at, 0);
            bound.setExecutor(executor);
            bound.createContext("/", this::handle);
            return bound;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a simulated pod to " + at, e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"/metrics".equals(exchange.getRequestURI().getPath())) {
                respond(exchange, 404, "text/plain; charset=utf-8", "404 page not found\n");
            } else if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
            } else {
                String raw = rawBody;
                String body = raw != null ? raw : MetricsExposition.render(snapshots.get(), config, pin);
                respond(exchange, 200, MetricsExposition.CONTENT_TYPE, body);
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
