package io.inferpulse.devstack.fleet;

/**
 * One client request, as the gateway received it.
 *
 * @param model         model the client asked for: the pool's base model or a LoRA adapter
 * @param loraAdapter   the adapter, or {@code null} for the base model
 * @param promptTokens  prompt length
 * @param outputTokens  tokens the server will generate
 * @param cutAtMaxLen   true when the client wanted more output than fits {@code max_model_len}, so vLLM stops with
 *                      finished_reason {@code length} instead of {@code stop}
 * @param arrivalNanos  simulated time of arrival, nanoseconds since the simulation started
 * @param clientIp      client address the load balancer saw
 * @param userAgent     client user agent
 */
record InferenceRequest(
        String model,
        String loraAdapter,
        int promptTokens,
        int outputTokens,
        boolean cutAtMaxLen,
        long arrivalNanos,
        String clientIp,
        String userAgent) {
}
