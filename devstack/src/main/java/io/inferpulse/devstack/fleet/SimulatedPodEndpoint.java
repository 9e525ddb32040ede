package io.inferpulse.devstack.fleet;

import java.net.URI;

/**
 * Where a simulated pod serves its metrics, as a service-discovery source would list it.
 *
 * @param namespace  Kubernetes namespace
 * @param pool       InferencePool the pod serves
 * @param pod        pod name
 * @param address    {@code 127.0.0.1:port}; also the {@code serverIp} of the pod's access-log lines
 * @param metricsUri {@code http://127.0.0.1:port/metrics}
 */
public record SimulatedPodEndpoint(String namespace, String pool, String pod, String address, URI metricsUri) {
}
