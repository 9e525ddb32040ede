package io.inferpulse.app.bench;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.inferpulse.routerfeed.epp.EppServer;
import io.inferpulse.routerfeed.epp.EppSettings;
import io.inferpulse.routerfeed.pick.PickerSettings;
import io.inferpulse.routerfeed.pick.ScorePicker;
import io.inferpulse.routerfeed.table.Endpoint;
import io.inferpulse.routerfeed.table.PoolSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the ext_proc benchmarks share: the Endpoint Picker Protocol server on loopback with the real
 * {@link ScorePicker} over one in-memory pool snapshot (no Kafka: the table's freshness is measured
 * elsewhere), client channels to it, and one request's conversation as Envoy holds it in full-duplex
 * mode: request headers and a chat-completion body, the destination and the echoed body back, then
 * the response headers and body passed through, then the half-close.
 */
public final class ExtProcFixture implements AutoCloseable {
    static final String CLUSTER = "bench";
    static final String NAMESPACE = "llm";
    static final String POOL = "pool";

    private static final ProcessingRequest REQUEST_HEADERS = ProcessingRequest.newBuilder().setRequestHeaders(HttpHeaders.newBuilder()
            .setHeaders(headers(Map.of(":method", "POST", ":path", "/v1/chat/completions", "content-type", "application/json",
                    "x-gateway-inference-objective", "premium")))).build();
    private static final ProcessingRequest REQUEST_BODY = body(true, "{\"model\":\"llama-3-8b\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Summarise the attached incident report in three bullet points.\"}],\"max_tokens\":256,\"stream\":false}");
    private static final ProcessingRequest RESPONSE_HEADERS = ProcessingRequest.newBuilder().setResponseHeaders(HttpHeaders.newBuilder()
            .setHeaders(headers(Map.of(":status", "200", "content-type", "application/json")))).build();
    private static final ProcessingRequest RESPONSE_BODY = body(false, "{\"id\":\"cmpl-1\",\"choices\":[{\"message\":{\"role\":"
            + "\"assistant\",\"content\":\"- one\\n- two\\n- three\"}}],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":12}}");

    private final EppServer server;
    private final List<ManagedChannel> channels;

    private ExtProcFixture(EppServer server, List<ManagedChannel> channels) {
        this.server = server;
        this.channels = channels;
    }

    /**
     * @param endpoints size of the pool, all healthy with random scores and loads under the saturation thresholds
     * @param connections client HTTP/2 connections, as a gateway keeps a few to its EPP
     */
    public static ExtProcFixture start(int endpoints, int connections) throws IOException {
        PoolSnapshot snapshot = snapshot(endpoints);
        ScorePicker picker = ScorePicker.create(PickerSettings.defaults(), key -> snapshot, Clock.systemUTC());
        EppSettings settings = EppSettings.of(Map.of("epp.host", "127.0.0.1", "epp.port", "0", "epp.health-port", "0",
                "pool.cluster", CLUSTER, "pool.namespace", NAMESPACE, "pool.name", POOL, "objectives", "premium=10",
                "epp.drain-timeout", "1s"));
        EppServer server = EppServer.start(settings, picker, () -> true, new SimpleMeterRegistry());
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            // Direct executor: answers are handled on the client's event loop, as Envoy's worker threads handle them.
            // No retry buffering: Envoy's ext_proc client does not replay a stream either, and the client's work
            // shares the cores with the server's.
            channels.add(NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().directExecutor()
                    .disableRetry().build());
        }
        ExtProcFixture fixture = new ExtProcFixture(server, List.copyOf(channels));
        for (int i = 0; i < connections; i++) {
            fixture.connect(i);
        }
        return fixture;
    }

    /** The connection is up, and the code paths have run once, before anything is timed. */
    private void connect(int connection) throws IOException {
        Status status;
        try {
            status = conversation(connection);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while connecting to the ext_proc server", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("No first conversation with the ext_proc server within 30 s", e);
        }
        if (!status.isOk()) {
            throw new IOException("The first conversation with the ext_proc server failed: " + status);
        }
    }

    /** One whole conversation on the connection, waited for (at most 30 s); how the stream ended. */
    public Status conversation(int connection) throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<Status> end = new CompletableFuture<>();
        exchange(connection, new Exchange.Listener() {
            @Override
            public void routed(long nanoTime, String destination) {
            }

            @Override
            public void ended(long nanoTime, Status status) {
                end.complete(status);
            }
        });
        return end.get(30, TimeUnit.SECONDS);
    }

    private static PoolSnapshot snapshot(int endpoints) {
        String poolKey = CLUSTER + "/" + NAMESPACE + "/" + POOL;
        SplittableRandom random = new SplittableRandom(7);
        Instant now = Instant.now();
        List<Endpoint> list = new ArrayList<>(endpoints);
        for (int i = 0; i < endpoints; i++) {
            list.add(new Endpoint(CLUSTER + "/" + NAMESPACE + "/pod-" + i + ":8000", "10.0." + (i / 256) + "." + (i % 256) + ":8000",
                    "pod-" + i, poolKey, 4 * random.nextDouble(), Map.of(), Endpoint.Health.HEALTHY, Map.of(), List.of(),
                    new Endpoint.Load(random.nextInt(4), random.nextInt(16), random.nextDouble(0.75)), now,
                    now.plus(Duration.ofDays(1))));
        }
        return new PoolSnapshot(poolKey, list);
    }

    /** Starts one request's conversation on connection {@code connection % connections}. */
    public Exchange exchange(int connection, Exchange.Listener listener) {
        Exchange exchange = new Exchange(listener);
        StreamObserver<ProcessingRequest> requests = ExternalProcessorGrpc.newStub(channels.get(connection % channels.size()))
                .process(exchange);
        requests.onNext(REQUEST_HEADERS);
        requests.onNext(REQUEST_BODY);
        return exchange;
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
        server.close();
    }

    /**
     * One conversation, driven by the server's answers: request headers and body are sent at the start;
     * the destination is the first answer; after the echoed body the response goes through; the
     * fourth answer ends it with a half-close.
     */
    public static final class Exchange implements ClientResponseObserver<ProcessingRequest, ProcessingResponse> {

        /** Called on the client's event loop. */
        public interface Listener {
            /** The destination arrived (the gateway could now send the request upstream). */
            void routed(long nanoTime, String destination);

            /** The stream closed: OK after a full conversation, or the reason it did not finish. */
            void ended(long nanoTime, Status status);
        }

        private final Listener listener;
        private ClientCallStreamObserver<ProcessingRequest> call;
        private int answers;

        private Exchange(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ProcessingRequest> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(ProcessingResponse answer) {
            answers++;
            if (answers == 1) {
                if (!answer.hasRequestHeaders()) {
                    call.cancel("expected the destination, got " + answer.getResponseCase(), null);
                    return;
                }
                listener.routed(System.nanoTime(), answer.getRequestHeaders().getResponse().getHeaderMutation()
                        .getSetHeaders(0).getHeader().getRawValue().toStringUtf8());
            } else if (answers == 2) {
                call.onNext(RESPONSE_HEADERS);
                call.onNext(RESPONSE_BODY);
            } else if (answers == 4) {
                call.onCompleted();
            }
        }

        @Override
        public void onError(Throwable t) {
            listener.ended(System.nanoTime(), Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            listener.ended(System.nanoTime(), answers == 4 ? Status.OK
                    : Status.INTERNAL.withDescription("stream ended after " + answers + " answers"));
        }
    }

    private static HeaderMap headers(Map<String, String> headers) {
        HeaderMap.Builder map = HeaderMap.newBuilder();
        headers.forEach((k, v) -> map.addHeaders(HeaderValue.newBuilder().setKey(k).setRawValue(ByteString.copyFromUtf8(v))));
        return map.build();
    }

    private static ProcessingRequest body(boolean request, String json) {
        HttpBody body = HttpBody.newBuilder().setBody(ByteString.copyFromUtf8(json)).setEndOfStream(true).build();
        return request ? ProcessingRequest.newBuilder().setRequestBody(body).build()
                : ProcessingRequest.newBuilder().setResponseBody(body).build();
    }
}
