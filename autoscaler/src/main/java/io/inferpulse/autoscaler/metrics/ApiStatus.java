package io.inferpulse.autoscaler.metrics;

/**
 * A failed request as a Kubernetes {@code metav1.Status}: HPA puts the message into its
 * {@code FailedGetExternalMetric} event and condition, so the message says what to fix.
 */
record ApiStatus(int code, String reason, String message) {
    static ApiStatus badRequest(String message) {
        return new ApiStatus(400, "BadRequest", message);
    }

    static ApiStatus unauthorized(String message) {
        return new ApiStatus(401, "Unauthorized", message);
    }

    static ApiStatus forbidden(String message) {
        return new ApiStatus(403, "Forbidden", message);
    }

    static ApiStatus notFound(String message) {
        return new ApiStatus(404, "NotFound", message);
    }

    static ApiStatus methodNotAllowed(String message) {
        return new ApiStatus(405, "MethodNotAllowed", message);
    }

    static ApiStatus internalError(String message) {
        return new ApiStatus(500, "InternalError", message);
    }

    static ApiStatus serviceUnavailable(String message) {
        return new ApiStatus(503, "ServiceUnavailable", message);
    }
}
