package io.inferpulse.ingest.logs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessLogMappingTest {

    private static final String NEG_REGEX =
            "k8s1-[0-9a-f]{8}-(?<namespace>[a-z0-9-]+?)-(?<pool>[a-z0-9-]+)-[0-9]+-[0-9a-f]{8}";

    @Test
    void shouldLeaveEveryFieldToTheFormatWithoutSettings() {
        // when
        AccessLogMapping mapping = AccessLogMapping.fromSettings(Map.of("unrelated", "1"), "prod");

        // then
        assertThat(mapping).isEqualTo(AccessLogMapping.defaults("prod"));
    }

    @Test
    void shouldReadSourcesRegexAndValue() {
        // when
        AccessLogMapping mapping = AccessLogMapping.fromSettings(Map.of(
                "accesslog.pool.from", " resource.labels.backend_name , resource.labels.backend_target_name",
                "accesslog.pool.regex", NEG_REGEX,
                "accesslog.pool.value", "fallback-pool",
                "accesslog.model.from", "header:x-gateway-model-name",
                "accesslog.cluster.value", "prod"), "dev");

        // then
        assertThat(mapping.pool()).contains(new AccessLogMapping.Rule(
                List.of("resource.labels.backend_name", "resource.labels.backend_target_name"),
                Optional.of(NEG_REGEX), Optional.of("fallback-pool")));
        assertThat(mapping.model()).contains(new AccessLogMapping.Rule(List.of("header:x-gateway-model-name"),
                Optional.empty(), Optional.empty()));
        assertThat(mapping.cluster()).contains(new AccessLogMapping.Rule(List.of(), Optional.empty(),
                Optional.of("prod")));
        assertThat(mapping.namespace()).isEmpty();
        assertThat(mapping.defaultCluster()).isEqualTo("dev");
    }

    @Test
    void shouldLeaveOtherAccessLogKeysToTheReceivers() {
        // when
        AccessLogMapping mapping = AccessLogMapping.fromSettings(Map.of(
                "accesslog.format", "gcp-lb",
                "accesslog.http.port", "8081",
                "accesslog.file.path", "/var/log/envoy.log",
                "accesslog.pool.from.extra", "x"), "dev");

        // then
        assertThat(mapping).isEqualTo(AccessLogMapping.defaults("dev"));
    }

    @Test
    void shouldReportEveryProblemNamingItsKey() {
        // given
        Map<String, String> settings = Map.of(
                "accesslog.pol.from", "resource.labels.backend_name",
                "accesslog.pool.regex", "(?<pool>.*)",
                "accesslog.model.from", "jsonPayload..modelName",
                "accesslog.namespace.from", "a",
                "accesslog.namespace.regex", "k8s1-(?<ns>[a-z]+",
                "accesslog.target-model.from", "a",
                "accesslog.target-model.regex", "(?<model>.+)",
                "accesslog.input-tokens.value", "12",
                "accesslog.cluster.value", "",
                "accesslog.output-tokens.from", "");

        // when / then
        assertThatThrownBy(() -> AccessLogMapping.fromSettings(settings, "dev"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("""
                        invalid access-log settings:
                          - accesslog.pol.from: unknown field 'pol' (known: cluster, namespace, pool, model, \
                        target-model, input-tokens, output-tokens)
                          - accesslog.cluster.value: empty; remove the key to leave the field unset
                          - accesslog.input-tokens.value: a token count is read from each line, it cannot be fixed
                          - accesslog.model.from: 'jsonPayload..modelName' is neither a dotted JSON path such as \
                        jsonPayload.modelName nor header:NAME
                          - accesslog.namespace.regex: Unclosed group near index 17 of k8s1-(?<ns>[a-z]+
                          - accesslog.output-tokens.from: empty; name a JSON path or header:NAME, or set \
                        accesslog.output-tokens.value
                          - accesslog.pool.regex: needs accesslog.pool.from, the sources it applies to
                          - accesslog.target-model.regex: has no named group (?<targetModel>...) to take the \
                        target-model from""");
    }

    @Test
    void shouldRejectBlankDefaultCluster() {
        assertThatThrownBy(() -> AccessLogMapping.fromSettings(Map.of(), " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid access-log settings: the default cluster (ingest's cluster setting) must not"
                        + " be blank");
    }

    @Test
    void shouldRejectSourcesTheFormatCannotHaveWhenBuildingItsParser() {
        // given
        AccessLogMapping header = AccessLogMapping.fromSettings(
                Map.of("accesslog.model.from", "header:x-gateway-model-name"), "dev");
        AccessLogMapping unknownField = AccessLogMapping.fromSettings(
                Map.of("accesslog.pool.from", "upstream_cluster"), "dev");

        // when / then
        assertThatThrownBy(() -> AccessLogFormats.parser("gcp-lb", header))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gcp-lb: load balancer logs carry no request headers, so header:x-gateway-model-name"
                        + " can never be found; name a JSON path in the LogEntry instead");
        assertThatThrownBy(() -> AccessLogFormats.parser("envoy", header))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("envoy: the default text format logs only the request headers x-forwarded-for,"
                        + " user-agent, x-request-id and :authority (host), so header:x-gateway-model-name can"
                        + " never be found");
        assertThatThrownBy(() -> AccessLogFormats.parser("envoy", unknownField))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("envoy: 'upstream_cluster' is not a field of the default text format"
                        + " (start_time, method, x-envoy-origin-path,");
        assertThat(AccessLogFormats.parser("envoy-json", header).format()).isEqualTo("envoy-json");
    }

    @Test
    void shouldSplitNetworkEndpointGroupNameIntoNamespaceAndPool() throws Exception {
        // given GKE's network endpoint group name k8s1-<cluster hash>-<namespace>-<service>-<port>-<hash>
        AccessLogParser parser = Samples.parser("gcp-lb", Map.of(
                "accesslog.pool.from", "resource.labels.backend_name",
                "accesslog.pool.regex", NEG_REGEX,
                "accesslog.namespace.from", "resource.labels.backend_name",
                "accesslog.namespace.regex", NEG_REGEX));

        // when
        AccessLogEntry entry = parser.parse(Samples.line("gcp-lb/internal_http_lb_rule.jsonl", 0));

        // then
        assertThat(entry.namespace()).isEqualTo("llm");
        assertThat(entry.pool()).isEqualTo("vllm-llama3-8b-instruct");
    }

    @Test
    void shouldNameTheValueThatDidNotMatchWhenNoPoolIsFound() {
        // given the load balancer's own 503, which names no backend
        AccessLogParser parser = Samples.parser("gcp-lb", Map.of(
                "accesslog.pool.from", "resource.labels.backend_name,resource.labels.backend_target_name",
                "accesslog.pool.regex", NEG_REGEX));

        // when / then
        assertThatThrownBy(() -> parser.parse(Samples.line("gcp-lb/internal_http_lb_rule.jsonl", 1)))
                .isInstanceOf(AccessLogParseException.class)
                .hasMessage("no pool: resource.labels.backend_name is absent; resource.labels.backend_target_name"
                        + " 'gkegw1-7k2p-llm-vllm-llama3-8b-instruct-8000-b8cf3a1d' does not match the regex "
                        + NEG_REGEX);
    }

    @Test
    void shouldTakeFirstPresentSourceThenFixedValue() throws Exception {
        // given
        AccessLogParser parser = Samples.parser("gcp-lb", Map.of(
                "accesslog.cluster.from", "labels.k8s-cluster,resource.labels.region",
                "accesslog.model.from", "jsonPayload.model",
                "accesslog.model.value", "unknown-model"));
        ObjectNode withLabel = GcpLoadBalancerLogParserTest.regionalEntry();
        withLabel.putObject("labels").put("k8s-cluster", "gke-prod-1");

        // when
        AccessLogEntry labelled = parser.parse(withLabel.toString());
        AccessLogEntry unlabelled = parser.parse(GcpLoadBalancerLogParserTest.regionalEntry().toString());

        // then
        assertThat(labelled.cluster()).isEqualTo("gke-prod-1");
        assertThat(unlabelled.cluster()).isEqualTo("us-central1");
        assertThat(labelled.modelName()).isEqualTo("unknown-model");
    }

    @Test
    void shouldFindLabelKeysThatContainDots() throws Exception {
        // given a Cloud Logging label whose key has dots
        AccessLogParser parser = Samples.parser("gcp-lb", Map.of(
                "accesslog.cluster.from", "labels.container.googleapis.com/cluster_name"));
        ObjectNode entry = GcpLoadBalancerLogParserTest.regionalEntry();
        entry.putObject("labels").put("container.googleapis.com/cluster_name", "gke-prod-2");

        // when / then
        assertThat(parser.parse(entry.toString()).cluster()).isEqualTo("gke-prod-2");
    }

    @Test
    void shouldFallBackToTheDefaultClusterWhenTheLineNamesNone() {
        // given
        AccessLogParser parser = Samples.parser("gcp-lb", Map.of("accesslog.cluster.from", "labels.cluster"));

        // when / then
        assertThat(parser.parse(Samples.line("gcp-lb/http_load_balancer.jsonl", 0)).cluster())
                .isEqualTo(Samples.CLUSTER);
    }
}
