package io.inferpulse.routerfeed.epp;

import static io.inferpulse.routerfeed.epp.ExtProcClient.requestBody;
import static io.inferpulse.routerfeed.epp.ExtProcClient.requestHeaders;
import static io.inferpulse.routerfeed.epp.ExtProcClient.requestHeadersWithSubset;
import static io.inferpulse.routerfeed.epp.ExtProcClient.requestTrailers;
import static io.inferpulse.routerfeed.epp.ExtProcClient.responseBody;
import static io.inferpulse.routerfeed.epp.ExtProcClient.responseHeaders;
import static io.inferpulse.routerfeed.epp.ExtProcClient.withModes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.StreamedBodyResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.StreamObserver;
import io.inferpulse.routerfeed.pick.PickRequest;
import io.inferpulse.routerfeed.pick.PickResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ext_proc conversations as Envoy holds them with GIE's EPP, over a real gRPC channel to the server
 * listening on loopback, with the Envoy protos on both sides. The picker is a recording fake: what is
 * under test is the protocol around it.
 */
class EppServerTest {
    private static final String POOL = "local/default/pool-0";
    private static final String CHAT = "{\"model\":\"llama-3-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final RecordingPicker picker = new RecordingPicker();
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private EppServer server;
    private ManagedChannel channel;

    private void start(Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("epp.host", "127.0.0.1", "epp.port", "0", "epp.health-port", "0",
                "objectives", "premium=10,batch=-1", "epp.drain-timeout", "2s"));
        settings.putAll(extra);
        server = EppServer.start(EppSettings.of(settings), picker, ready::get, meters);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    private void start() throws Exception {
        start(Map.of());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldAnswerTheBodyWithTheEndpointAsHeaderAndEnvoyLbMetadataThenEchoTheBody() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(Map.of(":method", "POST", ":path", "/v1/chat/completions")));
        envoy.send(requestBody(CHAT, true));

        ProcessingResponse headers = envoy.next();
        assertThat(headers.hasRequestHeaders()).as("the deferred answer to the request headers comes first").isTrue();
        CommonResponse common = headers.getRequestHeaders().getResponse();
        assertThat(setHeaders(common)).containsEntry("x-gateway-destination-endpoint", "10.0.0.1:8000")
                .containsEntry("content-length", String.valueOf(CHAT.length()));
        assertThat(common.getHeaderMutation().getSetHeadersList()).extracting(HeaderValueOption::getAppendAction)
                .containsOnly(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
        assertThat(common.getClearRouteCache()).isTrue();
        assertThat(destinationMetadata(headers)).isEqualTo("10.0.0.1:8000");

        StreamedBodyResponse echoed = envoy.next().getRequestBody().getResponse().getBodyMutation().getStreamedResponse();
        assertThat(echoed.getBody().toStringUtf8()).isEqualTo(CHAT);
        assertThat(echoed.getEndOfStream()).isTrue();
        assertThat(picker.asked).containsExactly(new PickRequest(POOL, "llama-3-8b", 0, Set.of()));
    }

    @Test
    void shouldSendTheFallbacksAsOneCommaSeparatedListInTheirOrder() throws Exception {
        start();
        picker.answer = new PickResult.Picked(List.of("10.0.0.7:8000", "10.0.0.2:8000", "10.0.0.5:8000"));
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, true));

        ProcessingResponse headers = envoy.next();
        String expected = "10.0.0.7:8000,10.0.0.2:8000,10.0.0.5:8000";
        assertThat(setHeaders(headers.getRequestHeaders().getResponse())).containsEntry("x-gateway-destination-endpoint", expected);
        assertThat(destinationMetadata(headers)).as("the metadata never differs from the header").isEqualTo(expected);
    }

    @Test
    void shouldHandTheGatewaysSubsetHintToThePicker() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeadersWithSubset(List.of(string("10.0.0.3:8000"), string("10.0.0.4:8000"),
                Value.newBuilder().setNumberValue(7).build())));
        envoy.send(requestBody(CHAT, true));
        envoy.next();

        assertThat(picker.asked).singleElement().extracting(PickRequest::subset)
                .as("string entries only, as the EPP reads them").isEqualTo(Set.of("10.0.0.3:8000", "10.0.0.4:8000"));
    }

    @Test
    void shouldAnswer503WithoutAskingThePickerWhenTheSubsetHintIsEmpty() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeadersWithSubset(List.of())).send(requestBody(CHAT, true));

        ImmediateResponse refused = envoy.next().getImmediateResponse();
        assertThat(refused.getStatus().getCodeValue()).isEqualTo(503);
        assertThat(refused.getBody().toStringUtf8()).contains("subset hint");
        assertThat(picker.asked).isEmpty();
    }

    @Test
    void shouldGiveARequestThePriorityOfTheObjectiveItsHeaderNames() throws Exception {
        start();
        Map<String, Integer> priorities = new HashMap<>();
        for (String objective : List.of("premium", "batch", "unknown-objective")) {
            ExtProcClient envoy = new ExtProcClient(channel);
            envoy.send(requestHeaders(Map.of(":method", "POST", "x-gateway-inference-objective", objective)));
            envoy.send(requestBody(CHAT, true)).next();
            priorities.put(objective, picker.asked.getLast().priority());
        }
        ExtProcClient noHeader = new ExtProcClient(channel);
        noHeader.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, true)).next();

        assertThat(priorities).isEqualTo(Map.of("premium", 10, "batch", -1, "unknown-objective", 0));
        assertThat(picker.asked.getLast().priority()).as("no objective header").isZero();
    }

    @Test
    void shouldRefuseAShedRequestWithAnImmediate429AndEndTheStream() throws Exception {
        start();
        picker.answer = new PickResult.Shed("pool saturated: every endpoint at its in-flight limit");
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(Map.of(":method", "POST", "x-gateway-inference-objective", "batch")));
        envoy.send(requestBody(CHAT, true));

        ImmediateResponse refused = envoy.next().getImmediateResponse();
        assertThat(refused.getStatus().getCodeValue()).isEqualTo(429);
        assertThat(refused.getBody().toStringUtf8()).isEqualTo(
                "inference error: ResourceExhausted - pool saturated: every endpoint at its in-flight limit");
        assertThat(refused.getDetails()).isEqualTo("endpoint_picker_shed");
        assertThat(envoy.end()).extracting(Status::getCode).isEqualTo(Status.Code.OK);
        assertThat(counter("shed")).isEqualTo(1);
        assertThat(meters.get("inferpulse_picker_sheds").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldRefuseWithAnImmediate503WhenNoEndpointCanTakeTheRequest() throws Exception {
        start();
        picker.answer = new PickResult.Unavailable("no ready endpoint in pool local/default/pool-0");
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, true));

        ImmediateResponse refused = envoy.next().getImmediateResponse();
        assertThat(refused.getStatus().getCodeValue()).isEqualTo(503);
        assertThat(refused.getBody().toStringUtf8()).contains("no ready endpoint in pool local/default/pool-0");
        assertThat(envoy.end().isOk()).isTrue();
        assertThat(picker.finished).as("nothing was picked, so nothing is released").isEmpty();
    }

    @Test
    void shouldReadTheModelFromABodySplitAcrossChunksAndEchoItWhole() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(Map.of(":method", "POST")));
        envoy.send(requestBody(CHAT.substring(0, 5), false));
        envoy.send(requestBody(CHAT.substring(5, 20), false));
        envoy.send(requestBody(CHAT.substring(20), true));

        assertThat(envoy.next().hasRequestHeaders()).isTrue();
        assertThat(envoy.next().getRequestBody().getResponse().getBodyMutation().getStreamedResponse().getBody().toStringUtf8())
                .isEqualTo(CHAT);
        assertThat(picker.asked).singleElement().extracting(PickRequest::model).isEqualTo("llama-3-8b");
    }

    @Test
    void shouldEchoALargeBodyInChunksEnvoyAccepts() throws Exception {
        start();
        String prompt = "x".repeat(150_000);
        String body = "{\"model\":\"m\",\"prompt\":\"" + prompt + "\"}";
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(Map.of(":method", "POST")));
        for (int at = 0; at < body.length(); at += 16_384) {
            int end = Math.min(body.length(), at + 16_384);
            envoy.send(requestBody(body.substring(at, end), end == body.length()));
        }

        assertThat(envoy.next().hasRequestHeaders()).isTrue();
        StringBuilder echoed = new StringBuilder();
        StreamedBodyResponse chunk;
        do {
            chunk = envoy.next().getRequestBody().getResponse().getBodyMutation().getStreamedResponse();
            assertThat(chunk.getBody().size()).isLessThanOrEqualTo(62_000);
            echoed.append(chunk.getBody().toStringUtf8());
        } while (!chunk.getEndOfStream());
        assertThat(echoed.toString()).isEqualTo(body);
    }

    @Test
    void shouldRefuseABodyThatIsNotJsonWithA400NamingTheProblem() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody("{\"model\": \"m\", \"messages\": [", true));

        ImmediateResponse refused = envoy.next().getImmediateResponse();
        assertThat(refused.getStatus().getCodeValue()).isEqualTo(400);
        assertThat(refused.getBody().toStringUtf8()).startsWith("inference error: BadRequest - request body is not valid JSON")
                .contains("line 1, column");
        assertThat(picker.asked).isEmpty();
        assertThat(counter("bad_request")).isEqualTo(1);
    }

    @Test
    void shouldRefuseABodyWithoutAModelWithA400() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody("{\"prompt\":\"hi\"}", true));

        ImmediateResponse refused = envoy.next().getImmediateResponse();
        assertThat(refused.getStatus().getCodeValue()).isEqualTo(400);
        assertThat(refused.getBody().toStringUtf8()).contains("model not found in request body");
    }

    @Test
    void shouldRefuseABodyOverTheLimitWith413() throws Exception {
        start(Map.of("epp.max-request-body-bytes", "1024"));
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody("{\"model\":\"m\",\"p\":\"", false))
                .send(requestBody("y".repeat(1100), false));

        ImmediateResponse refused = envoy.next().getImmediateResponse();
        assertThat(refused.getStatus().getCodeValue()).isEqualTo(413);
        assertThat(refused.getBody().toStringUtf8()).contains("larger than 1024 bytes");
    }

    @Test
    void shouldPickARequestWithoutBodyAtItsHeaders() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(true, Map.of(":method", "GET", ":path", "/v1/models")));

        ProcessingResponse headers = envoy.next();
        assertThat(setHeaders(headers.getRequestHeaders().getResponse())).containsEntry("x-gateway-destination-endpoint", "10.0.0.1:8000")
                .doesNotContainKey("content-length");
        assertThat(picker.asked).singleElement().extracting(PickRequest::model).isEqualTo("");
    }

    @Test
    void shouldPutTheDestinationOnTheBodyAnswerInBufferedMode() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(withModes(requestHeaders(Map.of(":method", "POST")), BodySendMode.BUFFERED, BodySendMode.NONE));
        ProcessingResponse continueHeaders = envoy.next();
        assertThat(continueHeaders.hasRequestHeaders()).as("buffered mode waits for an answer to the headers").isTrue();
        assertThat(continueHeaders.getRequestHeaders().getResponse().getHeaderMutation().getSetHeadersCount()).isZero();

        envoy.send(requestBody(CHAT, true));
        ProcessingResponse body = envoy.next();
        assertThat(setHeaders(body.getRequestBody().getResponse())).containsEntry("x-gateway-destination-endpoint", "10.0.0.1:8000");
        assertThat(body.getRequestBody().getResponse().hasBodyMutation()).as("the body goes on unchanged").isFalse();
        assertThat(destinationMetadata(body)).isEqualTo("10.0.0.1:8000");

        envoy.send(responseHeaders(false));
        assertThat(envoy.next().hasResponseHeaders()).isTrue();
        envoy.send(responseBody("{\"choices\":[]}", true));
        assertThat(envoy.next().getResponseBody().hasResponse()).as("buffered response: one plain answer").isFalse();
    }

    @Test
    void shouldPickAtTheTrailersWhenTheyEndTheBody() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, false)).send(requestTrailers());

        assertThat(envoy.next().hasRequestHeaders()).isTrue();
        StreamedBodyResponse echoed = envoy.next().getRequestBody().getResponse().getBodyMutation().getStreamedResponse();
        assertThat(echoed.getEndOfStream()).as("the trailers end the body, not the echo").isFalse();
        assertThat(envoy.next().hasRequestTrailers()).isTrue();
    }

    @Test
    void shouldCloseTheStreamWhenTheGatewayStreamsRequestBodiesWithoutFullDuplex() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);

        envoy.send(withModes(requestHeaders(Map.of(":method", "POST")), BodySendMode.STREAMED, BodySendMode.STREAMED));

        Status status = envoy.end();
        assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(status.getDescription()).contains("request_body_mode STREAMED", "FULL_DUPLEX_STREAMED");
    }

    @Test
    void shouldReleaseThePickOnceWhenTheResponseEnds() throws Exception {
        start();
        picker.answer = new PickResult.Picked(List.of("10.0.0.7:8000", "10.0.0.2:8000"));
        ExtProcClient envoy = new ExtProcClient(channel);
        envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, true));
        envoy.next();
        envoy.next();

        envoy.send(responseHeaders(false));
        assertThat(envoy.next().hasResponseHeaders()).isTrue();
        envoy.send(responseBody("data: {\"choices\":[]}\n\n", false));
        assertThat(envoy.next().getResponseBody().getResponse().getBodyMutation().getStreamedResponse().getBody().toStringUtf8())
                .as("each streamed response chunk is echoed as it comes").isEqualTo("data: {\"choices\":[]}\n\n");
        assertThat(picker.finished).as("the response has not ended").isEmpty();

        envoy.send(responseBody("data: [DONE]\n\n", true));
        assertThat(envoy.next().getResponseBody().getResponse().getBodyMutation().getStreamedResponse().getEndOfStream()).isTrue();
        await().atMost(DEADLINE).until(() -> !picker.finished.isEmpty());
        envoy.halfClose();
        assertThat(envoy.end().isOk()).isTrue();
        await().atMost(DEADLINE).until(() -> streamsInFlight() == 0);

        assertThat(picker.finished).containsExactly(new RecordingPicker.Finished(POOL, "10.0.0.7:8000"));
    }

    @Test
    void shouldReleaseThePickOnceWhenTheGatewayCancelsTheStream() throws Exception {
        start();
        ExtProcClient envoy = new ExtProcClient(channel);
        envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, true));
        envoy.next();
        envoy.next();
        envoy.send(responseHeaders(false));
        envoy.next();

        envoy.cancel();

        await().atMost(DEADLINE).until(() -> !picker.finished.isEmpty() && streamsInFlight() == 0);
        assertThat(picker.finished).containsExactly(new RecordingPicker.Finished(POOL, "10.0.0.1:8000"));
    }

    @Test
    void shouldCountRequestsByOutcomeAndTimeThePicks() throws Exception {
        start();
        ExtProcClient picked = new ExtProcClient(channel);
        picked.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, true)).next();
        picker.answer = new PickResult.Unavailable("empty pool");
        ExtProcClient unavailable = new ExtProcClient(channel);
        unavailable.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, true)).next();

        // The 503's stream is closed by the server after the client has its answer: its books close a moment later.
        await().atMost(DEADLINE).untilAsserted(() -> {
            assertThat(counter("picked")).isEqualTo(1);
            assertThat(counter("unavailable")).isEqualTo(1);
            assertThat(meters.get("inferpulse_picker_decision").timer().count()).isEqualTo(2);
            assertThat(meters.get("inferpulse_picker_handling").timer().count()).isEqualTo(2);
            assertThat(streamsInFlight()).as("the picked request's stream is still open").isEqualTo(1);
        });
    }

    @Test
    void shouldReportHealthFollowingTheTablesReadiness() throws Exception {
        ready.set(false);
        start();
        ManagedChannel healthChannel = NettyChannelBuilder.forAddress("127.0.0.1", server.healthPort()).usePlaintext().build();
        try {
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(healthChannel);
            assertThat(statuses(health)).isEqualTo(Map.of("", ServingStatus.NOT_SERVING, "readiness", ServingStatus.NOT_SERVING,
                    "envoy.service.ext_proc.v3.ExternalProcessor", ServingStatus.NOT_SERVING, "liveness", ServingStatus.SERVING));

            ready.set(true);
            assertThat(statuses(health)).isEqualTo(Map.of("", ServingStatus.SERVING, "readiness", ServingStatus.SERVING,
                    "envoy.service.ext_proc.v3.ExternalProcessor", ServingStatus.SERVING, "liveness", ServingStatus.SERVING));

            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                    () -> health.check(HealthCheckRequest.newBuilder().setService("nope").build()));
            assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        } finally {
            healthChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldSendAHealthWatcherTheStatusThenItsChange() throws Exception {
        ready.set(false);
        start();
        ManagedChannel healthChannel = NettyChannelBuilder.forAddress("127.0.0.1", server.healthPort()).usePlaintext().build();
        try {
            LinkedBlockingQueue<ServingStatus> seen = new LinkedBlockingQueue<>();
            HealthGrpc.newStub(healthChannel).watch(HealthCheckRequest.newBuilder().setService("readiness").build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(HealthCheckResponse value) {
                            seen.add(value.getStatus());
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            assertThat(seen.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(ServingStatus.NOT_SERVING);

            ready.set(true);

            assertThat(seen.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(ServingStatus.SERVING);
        } finally {
            healthChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldDrainOpenStreamsAtShutdownWhileHealthSaysNotServing() throws Exception {
        start();
        ManagedChannel healthChannel = NettyChannelBuilder.forAddress("127.0.0.1", server.healthPort()).usePlaintext().build();
        try {
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(healthChannel);
            ExtProcClient envoy = new ExtProcClient(channel);
            envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, true));
            envoy.next();
            envoy.next();

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            await().atMost(DEADLINE).until(() -> check(health, "readiness") == ServingStatus.NOT_SERVING);
            assertThat(check(health, "liveness")).as("a draining pod must not be killed by its liveness probe")
                    .isEqualTo(ServingStatus.SERVING);
            assertThat(closing).as("an open stream keeps the server draining").isNotDone();

            envoy.send(responseHeaders(false));
            assertThat(envoy.next().hasResponseHeaders()).as("the open stream is still served").isTrue();
            envoy.send(responseBody("{}", true));
            envoy.next();
            envoy.halfClose();

            closing.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(picker.finished).hasSize(1);
        } finally {
            healthChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldCancelStreamsStillOpenAfterTheDrainTimeoutAndReleaseTheirPicks() throws Exception {
        start(Map.of("epp.drain-timeout", "200ms"));
        ExtProcClient envoy = new ExtProcClient(channel);
        envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, true));
        envoy.next();
        envoy.next();

        server.close();

        assertThat(envoy.end().getCode()).as("the stream is cut, not completed").isEqualTo(Status.Code.CANCELLED);
        assertThat(picker.finished).containsExactly(new RecordingPicker.Finished(POOL, "10.0.0.1:8000"));
    }

    @Test
    void shouldServeExtProcOverTlsWithACertificateMadeAtStartAsGiesEppDoes() throws Exception {
        start(Map.of("epp.secure-serving", "true"));
        // As a gateway reaches GIE's EPP: TLS without verifying the certificate (Istio: insecureSkipVerify).
        ManagedChannel tls = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build()).build();
        try {
            ExtProcClient envoy = new ExtProcClient(tls);
            envoy.send(requestHeaders(Map.of(":method", "POST"))).send(requestBody(CHAT, true));

            assertThat(destinationMetadata(envoy.next())).isEqualTo("10.0.0.1:8000");
            ExtProcClient plaintext = new ExtProcClient(channel);
            plaintext.send(requestHeaders(true, Map.of(":method", "GET")));
            assertThat(plaintext.end().getCode()).as("a plaintext client is not answered").isEqualTo(Status.Code.UNAVAILABLE);
        } finally {
            tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private Map<String, ServingStatus> statuses(HealthGrpc.HealthBlockingStub health) {
        return List.of("", "readiness", "envoy.service.ext_proc.v3.ExternalProcessor", "liveness").stream()
                .collect(Collectors.toMap(s -> s, s -> check(health, s)));
    }

    private static ServingStatus check(HealthGrpc.HealthBlockingStub health, String service) {
        return health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    private double counter(String outcome) {
        return meters.get("inferpulse_picker_requests").tag("outcome", outcome).counter().count();
    }

    private double streamsInFlight() {
        return meters.get("inferpulse_picker_streams_in_flight").gauge().value();
    }

    private static Value string(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static Map<String, String> setHeaders(CommonResponse response) {
        return response.getHeaderMutation().getSetHeadersList().stream().collect(Collectors.toMap(
                h -> h.getHeader().getKey(), h -> h.getHeader().getRawValue().toStringUtf8()));
    }

    private static String destinationMetadata(ProcessingResponse response) {
        return response.getDynamicMetadata().getFieldsOrThrow("envoy.lb").getStructValue()
                .getFieldsOrThrow("x-gateway-destination-endpoint").getStringValue();
    }
}
