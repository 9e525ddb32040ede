package io.inferpulse.routerfeed.epp;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.HeaderMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.HeadersResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.StreamedBodyResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.TrailersResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ext_proc messages the server sends, in the Endpoint Picker Protocol's terms: the destination
 * as a header and as {@code envoy.lb} dynamic metadata, bodies echoed in full-duplex mode, and the
 * immediate responses that refuse a request.
 */
final class Answers {
    /** The header and {@code envoy.lb} metadata key naming the endpoint(s) picked. */
    static final String DESTINATION_ENDPOINT = "x-gateway-destination-endpoint";
    /** The dynamic-metadata namespace of the destination, the one Envoy's subset load balancer reads. */
    static final String DESTINATION_NAMESPACE = "envoy.lb";
    /** The filter-metadata namespace and key of the gateway's subset hint. */
    static final String SUBSET_NAMESPACE = "envoy.lb.subset_hint";
    static final String SUBSET_KEY = "x-gateway-destination-endpoint-subset";
    /** The request header naming the InferenceObjective. */
    static final String OBJECTIVE_HEADER = "x-gateway-inference-objective";

    /** Envoy limits a streamed chunk to 64 KiB in some builds; the EPP keeps under it with the same margin. */
    static final int BODY_CHUNK_BYTES = 62_000;

    static final ProcessingResponse CONTINUE_REQUEST_HEADERS = ProcessingResponse.newBuilder()
            .setRequestHeaders(HeadersResponse.getDefaultInstance()).build();
    static final ProcessingResponse CONTINUE_REQUEST_BODY = ProcessingResponse.newBuilder()
            .setRequestBody(BodyResponse.getDefaultInstance()).build();
    static final ProcessingResponse CONTINUE_REQUEST_TRAILERS = ProcessingResponse.newBuilder()
            .setRequestTrailers(TrailersResponse.getDefaultInstance()).build();
    static final ProcessingResponse CONTINUE_RESPONSE_HEADERS = ProcessingResponse.newBuilder()
            .setResponseHeaders(HeadersResponse.getDefaultInstance()).build();
    static final ProcessingResponse CONTINUE_RESPONSE_BODY = ProcessingResponse.newBuilder()
            .setResponseBody(BodyResponse.getDefaultInstance()).build();
    static final ProcessingResponse CONTINUE_RESPONSE_TRAILERS = ProcessingResponse.newBuilder()
            .setResponseTrailers(TrailersResponse.getDefaultInstance()).build();

    private static final HeaderMutation PLAIN_TEXT = HeaderMutation.newBuilder()
            .addSetHeaders(header("content-type", "text/plain; charset=utf-8")).build();

    private Answers() {}

    /**
     * The destination as a request-header mutation, with {@code clear_route_cache} so the route is
     * chosen again with it, as the EPP sends it.
     *
     * @param contentLength the body length to restore, or -1: Envoy drops {@code content-length} when a
     *     processor may rewrite a streamed body, and the EPP sets it back
     */
    static CommonResponse destination(String endpoints, long contentLength) {
        HeaderMutation.Builder headers = HeaderMutation.newBuilder().addSetHeaders(header(DESTINATION_ENDPOINT, endpoints));
        if (contentLength >= 0) {
            headers.addSetHeaders(header("content-length", Long.toString(contentLength)));
        }
        return CommonResponse.newBuilder().setHeaderMutation(headers).setClearRouteCache(true).build();
    }

    /** {@code envoy.lb: {x-gateway-destination-endpoint: endpoints}}: the same value as the header, never another. */
    static Struct destinationMetadata(String endpoints) {
        Struct inner = Struct.newBuilder().putFields(DESTINATION_ENDPOINT, Value.newBuilder().setStringValue(endpoints).build()).build();
        return Struct.newBuilder().putFields(DESTINATION_NAMESPACE, Value.newBuilder().setStructValue(inner).build()).build();
    }

    /** The body as full-duplex body responses of at most {@link #BODY_CHUNK_BYTES}; the last one ends the stream if asked. */
    static List<CommonResponse> streamedBody(ByteString body, boolean endOfStream) {
        List<CommonResponse> out = new ArrayList<>(1 + body.size() / BODY_CHUNK_BYTES);
        int at = 0;
        do {
            int end = Math.min(body.size(), at + BODY_CHUNK_BYTES);
            out.add(CommonResponse.newBuilder().setBodyMutation(BodyMutation.newBuilder().setStreamedResponse(
                    StreamedBodyResponse.newBuilder().setBody(body.substring(at, end)).setEndOfStream(endOfStream && end == body.size())))
                    .build());
            at = end;
        } while (at < body.size());
        return out;
    }

    /**
     * Ends the HTTP request at the gateway with {@code status}: the EPP's error form, the reason in
     * the body, and a token without spaces in {@code details} for the gateway's access log.
     */
    static ProcessingResponse immediate(StatusCode status, String code, String reason, String details) {
        return ProcessingResponse.newBuilder().setImmediateResponse(ImmediateResponse.newBuilder().setHeaders(PLAIN_TEXT)
                .setStatus(HttpStatus.newBuilder().setCode(status))
                .setBody(ByteString.copyFrom("inference error: " + code + " - " + reason, StandardCharsets.UTF_8))
                .setDetails(details)).build();
    }

    private static HeaderValueOption header(String key, String value) {
        // Overwrite, never append: a client must not steer its request by sending the header itself.
        return HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(key).setRawValue(ByteString.copyFromUtf8(value)))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD).build();
    }
}
