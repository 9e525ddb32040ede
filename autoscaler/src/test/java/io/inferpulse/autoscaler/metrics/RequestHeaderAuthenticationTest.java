package io.inferpulse.autoscaler.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading kube-system/extension-apiserver-authentication as the API server writes it. */
class RequestHeaderAuthenticationTest {
    @Test
    void shouldReadTheCasNamesAndHeadersFromTheConfigMap() throws Exception {
        TestPki.Issued frontProxy = TestPki.ca("CN=front-proxy-ca");
        TestPki.Issued cluster = TestPki.ca("CN=kubernetes");
        ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName("extension-apiserver-authentication")
                .withNamespace("kube-system").endMetadata()
                .addToData("requestheader-client-ca-file", TestPki.pem(frontProxy.certificate()))
                .addToData("requestheader-allowed-names", "[\"front-proxy-client\",\"aggregator\"]")
                .addToData("requestheader-username-headers", "[\"X-Remote-User\"]")
                .addToData("requestheader-group-headers", "[\"X-Remote-Group\"]")
                .addToData("requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]")
                .addToData("client-ca-file", TestPki.pem(cluster.certificate()))
                .build();

        RequestHeaderAuthentication auth = RequestHeaderAuthentication.from(Optional.of(configMap), Optional.empty(),
                Optional.empty(), Optional.empty());

        assertThat(auth.requestHeaderCas()).containsExactly(frontProxy.certificate());
        assertThat(auth.allowedNames()).containsExactlyInAnyOrder("front-proxy-client", "aggregator");
        assertThat(auth.usernameHeaders()).containsExactly("X-Remote-User");
        assertThat(auth.clientCas()).containsExactly(cluster.certificate());
    }

    @Test
    void shouldPreferExplicitSettingsOverTheConfigMap() throws Exception {
        TestPki.Issued fromFile = TestPki.ca("CN=file-ca");
        ConfigMap configMap = new ConfigMapBuilder().addToData("requestheader-allowed-names", "[\"a\"]").build();

        RequestHeaderAuthentication auth = RequestHeaderAuthentication.from(Optional.of(configMap),
                Optional.of(List.of(fromFile.certificate())), Optional.of(Set.of("b")), Optional.empty());

        assertThat(auth.requestHeaderCas()).containsExactly(fromFile.certificate());
        assertThat(auth.allowedNames()).containsExactly("b");
        assertThat(auth.clientCas()).isEmpty();
    }

    @Test
    void shouldRefuseToStartWithoutARequestHeaderCa() {
        assertThatThrownBy(() -> RequestHeaderAuthentication.from(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty())).hasMessageContaining("auth.requestheader.client-ca-file");
    }
}
