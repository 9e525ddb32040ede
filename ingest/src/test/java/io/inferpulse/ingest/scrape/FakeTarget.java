package io.inferpulse.ingest.scrape;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A /metrics server on 127.0.0.1 that records every request and answers as told. Handlers run on
 * virtual threads, so a test can hold many requests open at once.
 */
class FakeTarget implements AutoCloseable {
    static final String BODY = """
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{model_name="m"} 3.0
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{model_name="m"} 5.0
            """;

    /** One request as the server saw it. */
    record Request(String path, String authorization, long atNanos) {
    }

    /** How the server answers; may block, as a slow target would. */
    interface Behaviour {
        void answer(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    /** Released at close, so that a handler holding a request open does not outlive the test. */
    private final CountDownLatch closing = new CountDownLatch(1);
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private volatile Behaviour behaviour = ok(BODY);

    FakeTarget() throws IOException {
        this(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    FakeTarget(HttpServer server) {
        this.server = server;
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            requests.add(new Request(exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"), System.nanoTime()));
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try (exchange) {
                behaviour.answer(exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                concurrent.decrementAndGet();
            }
        });
        server.start();
    }

    FakeTarget answering(Behaviour behaviour) {
        this.behaviour = behaviour;
        return this;
    }

    URI url(String path) {
        String scheme = server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    int maxConcurrent() {
        return maxConcurrent.get();
    }

    /** Blocks until the test ends. */
    void hold() throws InterruptedException {
        closing.await();
    }

    static Behaviour ok(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        };
    }

    static Behaviour status(int code) {
        return exchange -> exchange.sendResponseHeaders(code, -1);
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    /** Sends the headers and half the body, then stalls until the test ends. */
    Behaviour stallingMidBody() {
        return exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("vllm:num_requests_waiting{model_name=\"m\"} ".getBytes(StandardCharsets.UTF_8));
            out.flush();
            hold();
        };
    }
}
