package io.inferpulse.autoscaler.metrics;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How Kubernetes tells an aggregated API server whom to trust, as k8s.io/apiserver reads it from
 * the {@code kube-system/extension-apiserver-authentication} ConfigMap: the front-proxy CA the
 * aggregator's client certificate chains to ({@code requestheader-client-ca-file}), the common
 * names that certificate may have ({@code requestheader-allowed-names}, empty for any), the
 * headers that carry the user and groups it speaks for, and the cluster's client CA
 * ({@code client-ca-file}) for users who call the server directly with a certificate of their own.
 */
record RequestHeaderAuthentication(List<X509Certificate> requestHeaderCas, Set<String> allowedNames,
                                   List<String> usernameHeaders, List<String> groupHeaders,
                                   List<X509Certificate> clientCas) {
    static final String CONFIG_MAP_NAMESPACE = "kube-system";
    static final String CONFIG_MAP_NAME = "extension-apiserver-authentication";
    static final List<String> DEFAULT_USERNAME_HEADERS = List.of("X-Remote-User");
    static final List<String> DEFAULT_GROUP_HEADERS = List.of("X-Remote-Group");
    private static final ObjectMapper JSON = new ObjectMapper();

    RequestHeaderAuthentication {
        requestHeaderCas = List.copyOf(requestHeaderCas);
        allowedNames = Set.copyOf(allowedNames);
        usernameHeaders = List.copyOf(usernameHeaders);
        groupHeaders = List.copyOf(groupHeaders);
        clientCas = List.copyOf(clientCas);
    }

    /** Every CA a client certificate may chain to: the TLS handshake accepts these, the API then tells them apart. */
    List<X509Certificate> allCas() {
        return java.util.stream.Stream.concat(requestHeaderCas.stream(), clientCas.stream()).toList();
    }

    /**
     * Reads the ConfigMap, with settings given explicitly taking precedence.
     *
     * @throws IllegalArgumentException when no requestheader CA is known from either
     */
    static RequestHeaderAuthentication from(Optional<ConfigMap> configMap, Optional<List<X509Certificate>> requestHeaderCas,
                                            Optional<Set<String>> allowedNames, Optional<List<X509Certificate>> clientCas) {
        Map<String, String> data = configMap.map(ConfigMap::getData).orElse(Map.of());
        String source = CONFIG_MAP_NAMESPACE + "/" + CONFIG_MAP_NAME;
        List<X509Certificate> cas = requestHeaderCas.orElseGet(() -> Optional.ofNullable(data.get("requestheader-client-ca-file"))
                .map(pem -> ServingTls.certificates(pem, source + " requestheader-client-ca-file")).orElse(List.of()));
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("no requestheader client CA: set auth.requestheader.client-ca-file, or let the "
                    + "server read " + source + " (RBAC: the extension-apiserver-authentication-reader Role)");
        }
        return new RequestHeaderAuthentication(cas,
                allowedNames.orElseGet(() -> Set.copyOf(jsonList(data, "requestheader-allowed-names", List.of()))),
                jsonList(data, "requestheader-username-headers", DEFAULT_USERNAME_HEADERS),
                jsonList(data, "requestheader-group-headers", DEFAULT_GROUP_HEADERS),
                clientCas.orElseGet(() -> Optional.ofNullable(data.get("client-ca-file"))
                        .map(pem -> ServingTls.certificates(pem, source + " client-ca-file")).orElse(List.of())));
    }

    /** The ConfigMap holds these lists as JSON arrays in strings. */
    private static List<String> jsonList(Map<String, String> data, String key, List<String> otherwise) {
        String text = data.get(key);
        if (text == null || text.isBlank()) {
            return otherwise;
        }
        try {
            List<String> list = JSON.readValue(text, new TypeReference<List<String>>() {});
            return list.isEmpty() ? otherwise : list;
        } catch (IOException e) {
            throw new IllegalArgumentException(CONFIG_MAP_NAME + " " + key + " is not a JSON array of strings: " + text, e);
        }
    }
}
