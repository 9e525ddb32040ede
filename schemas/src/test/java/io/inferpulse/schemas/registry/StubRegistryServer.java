package io.inferpulse.schemas.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** An HTTP server that plays a script of answers (the last one repeats) and records what it was asked. */
final class StubRegistryServer implements AutoCloseable {
    record Reply(int status, String contentType, String body, Duration delay) {
        static Reply json(int status, String body) {
            return new Reply(status, RestSchemaRegistryClient.CONTENT_TYPE, body, Duration.ZERO);
        }

        Reply after(Duration pause) {
            return new Reply(status, contentType, body, pause);
        }
    }

    record Request(String method, String rawPath, String contentType, String accept, String authorization, String body) {}

    private final HttpServer server;
    private final List<Reply> script;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    StubRegistryServer(Reply... script) {
        this.script = List.of(script);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    URI url(String basePath) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + basePath);
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int index = requests.size();
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestHeaders().getFirst("Accept"),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            Reply reply = script.get(Math.min(index, script.size() - 1));
            Thread.sleep(reply.delay());
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
