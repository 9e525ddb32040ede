package io.inferpulse.routerfeed.epp;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.HeadersResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProtocolConfiguration;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.inferpulse.routerfeed.epp.EppSettings.BodyMode;
import io.inferpulse.routerfeed.epp.EppMetrics.Outcome;
import io.inferpulse.routerfeed.pick.PickRequest;
import io.inferpulse.routerfeed.pick.PickResult;
import io.inferpulse.routerfeed.pick.Picker;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ext_proc stream, which Envoy opens per HTTP request: the request's headers and body in, the
 * destination out, then the response passed through until it ends and the picker is told the
 * request finished.
 *
 * <p>As GIE's EPP, in full-duplex mode the answer to the request headers waits until the body is
 * complete (the model is in the body), then goes out with the destination, followed by the body
 * echoed unchanged. In buffered mode every message is answered at once and the destination rides
 * on the answer to the body. A request without a body is picked at its headers.
 *
 * <p>gRPC delivers one call's messages, cancellation and close one at a time, so the state needs no
 * lock; only the release of the picker's in-flight slot is guarded, since shutdown may cancel from
 * another thread.
 */
final class Conversation implements StreamObserver<ProcessingRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(Conversation.class);

    private enum Phase {
        /** Reading the request; nothing decided. */
        REQUEST,
        /** Destination sent; passing the rest through. */
        ROUTED,
        /** This side closed the stream (refused the request or failed); late messages are dropped. */
        ENDED
    }

    private final ServerCallStreamObserver<ProcessingResponse> out;
    private final EppSettings settings;
    private final Picker picker;
    private final EppMetrics metrics;
    private final AtomicBoolean released = new AtomicBoolean();

    private Phase phase = Phase.REQUEST;
    private boolean first = true;
    private BodyMode requestMode;
    private boolean responseDuplex;
    private int priority;
    /** The gateway's subset hint; null when it gave none (any endpoint), empty when it gave an empty list (none). */
    private Set<String> subset;
    private ByteString body = ByteString.EMPTY;
    private List<String> picked;

    Conversation(ServerCallStreamObserver<ProcessingResponse> out, EppSettings settings, Picker picker, EppMetrics metrics) {
        this.out = out;
        this.settings = settings;
        this.picker = picker;
        this.metrics = metrics;
        this.requestMode = settings.requestBodyMode();
        this.responseDuplex = settings.responseBodyMode() == BodyMode.FULL_DUPLEX_STREAMED;
    }

    @Override
    public void onNext(ProcessingRequest request) {
        long arrived = System.nanoTime();
        if (phase == Phase.ENDED) {
            return;
        }
        try {
            if (first) {
                first = false;
                if (request.hasProtocolConfig() && !modes(request.getProtocolConfig())) {
                    return;
                }
            }
            switch (request.getRequestCase()) {
                case REQUEST_HEADERS -> requestHeaders(request, arrived);
                case REQUEST_BODY -> requestBody(request, arrived);
                case REQUEST_TRAILERS -> requestTrailers(request, arrived);
                case RESPONSE_HEADERS -> {
                    out.onNext(Answers.CONTINUE_RESPONSE_HEADERS);
                    if (request.getResponseHeaders().getEndOfStream()) {
                        release();
                    }
                }
                case RESPONSE_BODY -> responseBody(request);
                case RESPONSE_TRAILERS -> {
                    out.onNext(Answers.CONTINUE_RESPONSE_TRAILERS);
                    release();
                }
                case REQUEST_NOT_SET -> fail(Status.INVALID_ARGUMENT.withDescription(
                        "a ProcessingRequest must carry request or response headers, body or trailers"));
            }
        } catch (RuntimeException e) {
            LOG.error("ext_proc stream for pool {} failed on a {} message", settings.pool().key(), request.getRequestCase(), e);
            fail(Status.INTERNAL.withDescription("endpoint picker failed: " + e).withCause(e));
        }
    }

    /** The stream ended from the gateway's side: a reset, a cancel, or the connection lost. */
    @Override
    public void onError(Throwable t) {
        LOG.debug("ext_proc stream ended by the gateway: {}", Status.fromThrowable(t));
        phase = Phase.ENDED;
        release();
    }

    /** The gateway half-closed: nothing more of this request or its response will come. */
    @Override
    public void onCompleted() {
        release();
        if (phase != Phase.ENDED) {
            phase = Phase.ENDED;
            out.onCompleted();
        }
    }

    /** gRPC's cancel handler: the call ended before this side closed it. */
    void cancelled() {
        phase = Phase.ENDED;
        release();
    }

    /** gRPC's close handler: the call ended cleanly; a pick not yet released (the response never ended) is released now. */
    void closed() {
        release();
    }

    /** Takes the body modes Envoy says it uses; false when the request mode cannot carry a pick (the stream is failed). */
    private boolean modes(ProtocolConfiguration config) {
        ProcessingMode.BodySendMode request = config.getRequestBodyMode();
        switch (request) {
            case FULL_DUPLEX_STREAMED -> requestMode = BodyMode.FULL_DUPLEX_STREAMED;
            case BUFFERED, BUFFERED_PARTIAL -> requestMode = BodyMode.BUFFERED;
            case NONE -> requestMode = BodyMode.NONE;
            default -> {
                fail(Status.FAILED_PRECONDITION.withDescription("request_body_mode " + request + " is not supported by the "
                        + "endpoint picker: the request headers go upstream before the body, so the destination could not be "
                        + "set; configure FULL_DUPLEX_STREAMED (as for GIE's EPP) or BUFFERED"));
                return false;
            }
        }
        responseDuplex = config.getResponseBodyMode() == ProcessingMode.BodySendMode.FULL_DUPLEX_STREAMED;
        return true;
    }

    private void requestHeaders(ProcessingRequest request, long arrived) {
        subsetFrom(request);
        HttpHeaders headers = request.getRequestHeaders();
        priority = settings.objectives().priorityOf(header(headers, Answers.OBJECTIVE_HEADER));
        if (headers.getEndOfStream() || requestMode == BodyMode.NONE) {
            // No body will come (a GET, or a gateway that sends none): pick now, without a model.
            decide("", arrived, endpoints -> ProcessingResponse.newBuilder()
                    .setRequestHeaders(HeadersResponse.newBuilder().setResponse(Answers.destination(endpoints, -1)))
                    .setDynamicMetadata(Answers.destinationMetadata(endpoints)).build());
        } else if (requestMode == BodyMode.BUFFERED) {
            out.onNext(Answers.CONTINUE_REQUEST_HEADERS);
        }
        // Full duplex: the answer to the headers waits for the body's model.
    }

    private void requestBody(ProcessingRequest request, long arrived) {
        subsetFrom(request);
        HttpBody chunk = request.getRequestBody();
        if (phase != Phase.REQUEST) {
            // A body after the pick (a gateway that said NONE but sent one anyway) passes through.
            sendRequestBody(chunk.getBody(), chunk.getEndOfStream());
            return;
        }
        if ((long) body.size() + chunk.getBody().size() > settings.maxRequestBodyBytes()) {
            metrics.answered(Outcome.BAD_REQUEST);
            refuse(StatusCode.PayloadTooLarge, "BadRequest", "request body is larger than " + settings.maxRequestBodyBytes()
                    + " bytes (epp.max-request-body-bytes)", "endpoint_picker_body_too_large", arrived);
            return;
        }
        body = body.concat(chunk.getBody());
        if (requestMode == BodyMode.BUFFERED) {
            // Buffered mode hands over the whole body in one message; end_of_stream false only means trailers follow.
            pickFromBody(arrived, endpoints -> ProcessingResponse.newBuilder()
                    .setRequestBody(BodyResponse.newBuilder().setResponse(Answers.destination(endpoints, -1)))
                    .setDynamicMetadata(Answers.destinationMetadata(endpoints)).build());
        } else if (chunk.getEndOfStream()) {
            answerDuplex(arrived, true);
        }
    }

    private void requestTrailers(ProcessingRequest request, long arrived) {
        subsetFrom(request);
        if (phase == Phase.REQUEST && requestMode == BodyMode.FULL_DUPLEX_STREAMED) {
            // Trailers, not end_of_stream, said the body is complete.
            if (!answerDuplex(arrived, false)) {
                return;
            }
        }
        out.onNext(Answers.CONTINUE_REQUEST_TRAILERS);
    }

    /** Picks from the complete body, then sends the deferred headers answer and the body; false if the request was refused. */
    private boolean answerDuplex(long arrived, boolean endOfStream) {
        ByteString complete = body;
        boolean routed = pickFromBody(arrived, endpoints -> ProcessingResponse.newBuilder()
                .setRequestHeaders(HeadersResponse.newBuilder().setResponse(Answers.destination(endpoints, complete.size())))
                .setDynamicMetadata(Answers.destinationMetadata(endpoints)).build());
        if (routed) {
            body = ByteString.EMPTY;
            sendRequestBody(complete, endOfStream);
        }
        return routed;
    }

    private boolean pickFromBody(long arrived, Function<String, ProcessingResponse> answer) {
        String model;
        try {
            model = RequestBodies.model(body);
        } catch (RequestBodies.BadBody e) {
            metrics.answered(Outcome.BAD_REQUEST);
            refuse(StatusCode.BadRequest, "BadRequest", e.getMessage(), "endpoint_picker_bad_request", arrived);
            return false;
        }
        return decide(model, arrived, answer);
    }

    /** Asks the picker and answers: the destination through {@code answer}, or an immediate 429 or 503. */
    private boolean decide(String model, long arrived, Function<String, ProcessingResponse> answer) {
        PickResult result;
        if (subset != null && subset.isEmpty()) {
            result = new PickResult.Unavailable("the gateway's subset hint (" + Answers.SUBSET_KEY + ") lists no endpoint");
        } else {
            long start = System.nanoTime();
            result = picker.pick(new PickRequest(settings.pool().key(), model, priority, subset == null ? Set.of() : subset));
            metrics.decision(System.nanoTime() - start);
        }
        switch (result) {
            case PickResult.Picked p -> {
                picked = p.endpoints();
                phase = Phase.ROUTED;
                out.onNext(answer.apply(String.join(",", picked)));
                metrics.answered(Outcome.PICKED);
                metrics.handling(System.nanoTime() - arrived);
                return true;
            }
            case PickResult.Shed s -> {
                metrics.answered(Outcome.SHED);
                refuse(StatusCode.TooManyRequests, "ResourceExhausted", s.reason(), "endpoint_picker_shed", arrived);
                return false;
            }
            case PickResult.Unavailable u -> {
                metrics.answered(Outcome.UNAVAILABLE);
                refuse(StatusCode.ServiceUnavailable, "ServiceUnavailable", u.reason(), "endpoint_picker_no_endpoint", arrived);
                return false;
            }
        }
    }

    private void responseBody(ProcessingRequest request) {
        HttpBody chunk = request.getResponseBody();
        if (responseDuplex) {
            for (CommonResponse c : Answers.streamedBody(chunk.getBody(), chunk.getEndOfStream())) {
                out.onNext(ProcessingResponse.newBuilder().setResponseBody(BodyResponse.newBuilder().setResponse(c)).build());
            }
        } else {
            out.onNext(Answers.CONTINUE_RESPONSE_BODY);
        }
        if (chunk.getEndOfStream()) {
            release();
        }
    }

    private void sendRequestBody(ByteString bytes, boolean endOfStream) {
        if (requestMode != BodyMode.FULL_DUPLEX_STREAMED) {
            out.onNext(Answers.CONTINUE_REQUEST_BODY);
            return;
        }
        for (CommonResponse c : Answers.streamedBody(bytes, endOfStream)) {
            out.onNext(ProcessingResponse.newBuilder().setRequestBody(BodyResponse.newBuilder().setResponse(c)).build());
        }
    }

    /** Ends the HTTP request at the gateway with an immediate response, and this stream with it, as the EPP does. */
    private void refuse(StatusCode status, String code, String reason, String details, long arrived) {
        phase = Phase.ENDED;
        out.onNext(Answers.immediate(status, code, reason, details));
        out.onCompleted();
        metrics.handling(System.nanoTime() - arrived);
    }

    private void fail(Status status) {
        if (phase == Phase.REQUEST) {
            metrics.answered(Outcome.ERROR);
        }
        phase = Phase.ENDED;
        out.onError(status.asRuntimeException());
    }

    /**
     * Releases the picker's in-flight slot once. The slot is the chosen endpoint's, the first of the
     * list, also when the gateway fell back to another (it reports which in {@code envoy.lb}
     * {@code x-gateway-destination-endpoint-served}): releasing that one instead would leave the
     * chosen endpoint's slot taken for good.
     */
    private void release() {
        if (picked != null && released.compareAndSet(false, true)) {
            picker.finished(settings.pool().key(), picked.get(0));
        }
    }

    /** The subset hint, from whichever request message carries the filter metadata. */
    private void subsetFrom(ProcessingRequest request) {
        Struct hint = request.getMetadataContext().getFilterMetadataMap().get(Answers.SUBSET_NAMESPACE);
        Value list = hint == null ? null : hint.getFieldsMap().get(Answers.SUBSET_KEY);
        if (list == null) {
            return;
        }
        Set<String> endpoints = new HashSet<>();
        // Entries that are not strings are ignored, as the EPP ignores them; a list of none of them picks nothing.
        for (Value v : list.getListValue().getValuesList()) {
            if (v.hasStringValue()) {
                endpoints.add(v.getStringValue());
            }
        }
        subset = endpoints;
    }

    private static String header(HttpHeaders headers, String name) {
        for (HeaderValue h : headers.getHeaders().getHeadersList()) {
            if (h.getKey().equalsIgnoreCase(name)) {
                // Envoy fills raw_value; older builds and other clients fill value.
                return h.getRawValue().isEmpty() ? h.getValue() : h.getRawValue().toStringUtf8();
            }
        }
        return null;
    }
}
