package io.inferpulse.autoscaler.metrics;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * One request as the API sees it, apart from the HTTP server that received it.
 *
 * @param path the path with each segment percent-decoded ({@code %7C} is {@code |} by now)
 * @param query decoded query parameters, the first value of each
 * @param headers request headers by lower-case name
 * @param clientCertificates the chain the client presented in the TLS handshake, leaf first; empty if none
 */
record ApiRequest(String method, List<String> path, Map<String, String> query, Map<String, List<String>> headers,
                  List<X509Certificate> clientCertificates) {
    ApiRequest {
        path = List.copyOf(path);
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        clientCertificates = List.copyOf(clientCertificates);
    }

    List<String> header(String name) {
        return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
    }
}
