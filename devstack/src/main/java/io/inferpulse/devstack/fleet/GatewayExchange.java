package io.inferpulse.devstack.fleet;

/**
 * One request's trip through the simulated gateway, whatever its outcome: everything an access-log line states.
 *
 * @param request        the request
 * @param pool           InferencePool it was sent to
 * @param pod            name of the pod that answered, or {@code null} when no pod was picked
 * @param status         HTTP status returned to the client
 * @param finishNanos    simulated time the response completed
 * @param outputTokens   tokens returned, or {@code null} when the model produced none
 * @param proxyStatus    the load balancer's Proxy-Status for errors it generated itself, else {@code null}
 * @param statusDetails  the load balancer's reason for the status, e.g. {@code response_sent_by_backend}
 */
record GatewayExchange(
        InferenceRequest request,
        String pool,
        String pod,
        int status,
        long finishNanos,
        Integer outputTokens,
        String proxyStatus,
        String statusDetails) {

    static GatewayExchange completed(InferenceRequest request, String pool, String pod, long finishNanos) {
        return new GatewayExchange(request, pool, pod, 200, finishNanos, request.outputTokens(), null,
                "response_sent_by_backend");
    }

    static GatewayExchange backendError(InferenceRequest request, String pool, String pod, long finishNanos) {
        return new GatewayExchange(request, pool, pod, 500, finishNanos, null, null, "response_sent_by_backend");
    }

    static GatewayExchange noBackend(InferenceRequest request, String pool, long finishNanos) {
        return new GatewayExchange(request, pool, null, 503, finishNanos, null,
                "error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"", "failed_to_pick_backend");
    }
}
