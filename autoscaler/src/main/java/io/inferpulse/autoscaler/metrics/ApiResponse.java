package io.inferpulse.autoscaler.metrics;

import java.nio.charset.StandardCharsets;

/** What the API answers: a status code and a body of the given content type. */
record ApiResponse(int code, String contentType, byte[] body) {
    static final String JSON = "application/json";

    static ApiResponse json(byte[] body) {
        return new ApiResponse(200, JSON, body);
    }

    static ApiResponse status(ApiStatus status) {
        return new ApiResponse(status.code(), JSON, ApiDocuments.status(status));
    }

    static ApiResponse text(int code, String body) {
        return new ApiResponse(code, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }
}
