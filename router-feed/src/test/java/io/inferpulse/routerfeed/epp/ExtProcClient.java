package io.inferpulse.routerfeed.epp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpTrailers;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProtocolConfiguration;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One ext_proc stream as Envoy drives it, on the real Envoy protos over a real channel: builds the
 * messages Envoy sends and collects what the server answers.
 */
final class ExtProcClient implements ClientResponseObserver<ProcessingRequest, ProcessingResponse> {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final LinkedBlockingQueue<ProcessingResponse> answers = new LinkedBlockingQueue<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();
    private ClientCallStreamObserver<ProcessingRequest> call;
    private final StreamObserver<ProcessingRequest> requests;

    ExtProcClient(ManagedChannel channel) {
        requests = ExternalProcessorGrpc.newStub(channel).process(this);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ProcessingRequest> requestStream) {
        call = requestStream;
    }

    @Override
    public void onNext(ProcessingResponse value) {
        answers.add(value);
    }

    @Override
    public void onError(Throwable t) {
        end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        end.complete(Status.OK);
    }

    ExtProcClient send(ProcessingRequest request) {
        requests.onNext(request);
        return this;
    }

    /** The next answer; fails the test if none comes within 10 s. */
    ProcessingResponse next() throws InterruptedException {
        ProcessingResponse r = answers.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r).as("an answer from the server within " + WAIT).isNotNull();
        return r;
    }

    /** How the server ended the stream; fails the test if it does not within 10 s. */
    Status end() throws Exception {
        return end.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    void halfClose() {
        requests.onCompleted();
    }

    /** As Envoy does when the downstream client goes away. */
    void cancel() {
        call.cancel("downstream reset", null);
    }

    static ProcessingRequest requestHeaders(boolean endOfStream, Map<String, String> headers) {
        return ProcessingRequest.newBuilder().setRequestHeaders(HttpHeaders.newBuilder().setHeaders(headerMap(headers))
                .setEndOfStream(endOfStream)).build();
    }

    static ProcessingRequest requestHeaders(Map<String, String> headers) {
        return requestHeaders(false, headers);
    }

    /** Headers with the subset hint in {@code envoy.lb.subset_hint}, as Envoy forwards the route's filter metadata. */
    static ProcessingRequest requestHeadersWithSubset(List<Value> subset) {
        Struct hint = Struct.newBuilder().putFields(Answers.SUBSET_KEY,
                Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(subset)).build()).build();
        return requestHeaders(Map.of(":method", "POST")).toBuilder()
                .setMetadataContext(Metadata.newBuilder().putFilterMetadata(Answers.SUBSET_NAMESPACE, hint)).build();
    }

    /** The first message with Envoy's {@code protocol_config}. */
    static ProcessingRequest withModes(ProcessingRequest first, ProcessingMode.BodySendMode request,
                                       ProcessingMode.BodySendMode response) {
        return first.toBuilder().setProtocolConfig(ProtocolConfiguration.newBuilder().setRequestBodyMode(request)
                .setResponseBodyMode(response)).build();
    }

    static ProcessingRequest requestBody(String chunk, boolean endOfStream) {
        return ProcessingRequest.newBuilder().setRequestBody(HttpBody.newBuilder().setBody(ByteString.copyFromUtf8(chunk))
                .setEndOfStream(endOfStream)).build();
    }

    static ProcessingRequest requestTrailers() {
        return ProcessingRequest.newBuilder().setRequestTrailers(HttpTrailers.getDefaultInstance()).build();
    }

    static ProcessingRequest responseHeaders(boolean endOfStream) {
        return ProcessingRequest.newBuilder().setResponseHeaders(HttpHeaders.newBuilder()
                .setHeaders(headerMap(Map.of(":status", "200"))).setEndOfStream(endOfStream)).build();
    }

    static ProcessingRequest responseBody(String chunk, boolean endOfStream) {
        return ProcessingRequest.newBuilder().setResponseBody(HttpBody.newBuilder().setBody(ByteString.copyFromUtf8(chunk))
                .setEndOfStream(endOfStream)).build();
    }

    private static HeaderMap headerMap(Map<String, String> headers) {
        HeaderMap.Builder map = HeaderMap.newBuilder();
        headers.forEach((k, v) -> map.addHeaders(HeaderValue.newBuilder().setKey(k).setRawValue(ByteString.copyFromUtf8(v))));
        return map.build();
    }
}
