package io.inferpulse.notifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

/**
 * An HTTP receiver on loopback that records every request per path and answers from a script:
 * the n-th request (0-based) to a path gets {@code script.apply(n)}.
 */
final class LocalReceiver implements AutoCloseable {
    record Answer(int status, String body, Map<String, String> headers) {
        static Answer ok() {
            return new Answer(200, "ok", Map.of());
        }

        static Answer status(int status, String body) {
            return new Answer(status, body, Map.of());
        }
    }

    record Request(Instant at, JsonNode body) {}

    private final HttpServer server;
    private final Map<String, List<Request>> requests = new ConcurrentHashMap<>();
    private final Map<String, IntFunction<Answer>> scripts = new ConcurrentHashMap<>();

    LocalReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] in = exchange.getRequestBody().readAllBytes();
            List<Request> seen = requests.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>());
            int n;
            synchronized (seen) {
                n = seen.size();
                seen.add(new Request(Instant.now(), HttpSender.JSON.readTree(in)));
            }
            Answer answer = scripts.getOrDefault(path, i -> Answer.ok()).apply(n);
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(answer.status(), out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
    }

    LocalReceiver script(String path, IntFunction<Answer> script) {
        scripts.put(path, script);
        return this;
    }

    List<Request> requests(String path) {
        return List.copyOf(requests.getOrDefault(path, List.of()));
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
