package io.inferpulse.ingest.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Where the names and counts an access log does not state in a fixed place come from: cluster,
 * namespace, pool, model_name, target_model_name and the token counts. An empty rule means the
 * format's default (table below); a rule replaces that default as a whole.
 *
 * <h2>Sources</h2>
 * A rule lists sources, tried in order; the first one present gives the value. A source is
 * <ul>
 * <li>a dotted path into the JSON record, e.g. {@code jsonPayload.modelName} or
 *     {@code resource.labels.backend_target_name}; for {@code gcp-lb} the path starts at the
 *     LogEntry (after unwrapping, see {@link GcpLoadBalancerLogParser}). A key that itself contains
 *     dots, such as {@code labels.compute.googleapis.com/resource_name}, is found as well;</li>
 * <li>{@code header:NAME}, a request header as the Envoy formats log it, matched case-insensitively
 *     ({@code header:host} is {@code :authority}); {@code gcp-lb} logs no request headers;</li>
 * <li>for the {@code envoy} text format, the name of one of its fields, named as Envoy Gateway's
 *     JSON keys: {@code start_time}, {@code method}, {@code x-envoy-origin-path}, {@code protocol},
 *     {@code response_code}, {@code response_flags}, {@code bytes_received}, {@code bytes_sent},
 *     {@code duration}, {@code x-envoy-upstream-service-time}, {@code x-forwarded-for},
 *     {@code user-agent}, {@code x-request-id}, {@code :authority}, {@code upstream_host}.</li>
 * </ul>
 * A value that is absent, JSON null, blank or {@code -} (Envoy's mark for "not set") counts as
 * absent. With a regex, a source's value counts only if the regex matches somewhere in it, and the
 * field takes the named group called after the field: {@code cluster}, {@code namespace},
 * {@code pool}, {@code model}, {@code targetModel}, {@code inputTokens}, {@code outputTokens}. That
 * lets one regex split a backend name into several fields, e.g. a GKE network endpoint group
 * {@code k8s1-0f0a2124-default-pool-0-8000-ca37730e} with
 * {@code k8s1-[0-9a-f]{8}-(?<namespace>[a-z0-9-]+?)-(?<pool>[a-z0-9-]+)-[0-9]+-[0-9a-f]{8}} used for
 * both namespace and pool. When no source gives a value the rule's fixed value applies.
 *
 * <h2>Defaults</h2>
 * <table>
 * <caption>Default sources per format</caption>
 * <tr><th>field</th><th>{@code gcp-lb}</th><th>{@code envoy-json}</th><th>{@code envoy}</th></tr>
 * <tr><td>cluster</td><td>{@code labels.cluster_name}</td><td>-</td><td>-</td></tr>
 * <tr><td>namespace</td><td>{@code labels.namespace_name}</td>
 *     <td>{@code upstream_cluster} with regex {@code ^httproute/(?<namespace>[^/]+)/}</td><td>-</td></tr>
 * <tr><td>pool</td><td>{@code resource.labels.backend_target_name},
 *     {@code resource.labels.backend_service_name}</td><td>{@code upstream_cluster}</td>
 *     <td>{@code :authority}</td></tr>
 * <tr><td>model</td><td>{@code jsonPayload.modelName}</td><td>{@code header:x-gateway-model-name}</td>
 *     <td>-</td></tr>
 * <tr><td>target-model</td><td>{@code jsonPayload.targetModelName}</td><td>-</td><td>-</td></tr>
 * <tr><td>input-tokens</td><td>{@code jsonPayload.inputTokens}</td><td>-</td><td>-</td></tr>
 * <tr><td>output-tokens</td><td>{@code jsonPayload.outputTokens}</td><td>-</td><td>-</td></tr>
 * </table>
 * A field without a value is the {@link #defaultCluster()} for cluster; the empty string for
 * namespace, model and target model; absent for the token counts; and a parse error for the pool,
 * because a request that cannot be attributed to a pool cannot be counted anywhere.
 *
 * <h2>Settings</h2>
 * {@link #fromSettings} reads flat keys {@code accesslog.<field>.<property>}, with the fields
 * {@code cluster}, {@code namespace}, {@code pool}, {@code model}, {@code target-model},
 * {@code input-tokens}, {@code output-tokens} and the properties
 * <ul>
 * <li>{@code from}: comma-separated sources, as above;</li>
 * <li>{@code regex}: applied to each source's value, with the named group called after the field
 *     (needs {@code from});</li>
 * <li>{@code value}: a fixed value, used when no source gives one; alone, the field is always that
 *     value (not for the token counts).</li>
 * </ul>
 * <pre>
 * accesslog.cluster.value=prod
 * accesslog.model.from=header:x-gateway-model-name
 * accesslog.pool.from=resource.labels.backend_name
 * accesslog.pool.regex=k8s1-[0-9a-f]{8}-[a-z0-9-]+?-(?&lt;pool&gt;[a-z0-9-]+)-[0-9]+-[0-9a-f]{8}
 * </pre>
 * Other keys under {@code accesslog.} are left to their owners (the receivers), except that a
 * {@code from}, {@code regex} or {@code value} under an unknown field is reported as a typo.
 *
 * @param defaultCluster the cluster of records whose log names none, usually ingest's configured cluster
 */
public record AccessLogMapping(String defaultCluster, Optional<Rule> cluster, Optional<Rule> namespace,
                               Optional<Rule> pool, Optional<Rule> model, Optional<Rule> targetModel,
                               Optional<Rule> inputTokens, Optional<Rule> outputTokens) {

    static final String PREFIX = "accesslog.";
    static final String HEADER = "header:";

    private static final List<String> FIELDS =
            List.of("cluster", "namespace", "pool", "model", "target-model", "input-tokens", "output-tokens");
    private static final List<String> PROPERTIES = List.of("from", "regex", "value");

    public AccessLogMapping {
        Objects.requireNonNull(defaultCluster, "defaultCluster");
        if (defaultCluster.isBlank()) {
            throw new IllegalArgumentException("defaultCluster must not be blank");
        }
        requireRule(cluster, "cluster");
        requireRule(namespace, "namespace");
        requireRule(pool, "pool");
        requireRule(model, "model");
        requireRule(targetModel, "target-model");
        requireRule(inputTokens, "input-tokens");
        requireRule(outputTokens, "output-tokens");
    }

    /** Every field from its format's default source. */
    public static AccessLogMapping defaults(String defaultCluster) {
        return new AccessLogMapping(defaultCluster, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * Reads the {@code accesslog.<field>.<property>} keys described on this class.
     *
     * @throws IllegalArgumentException listing every problem, each starting with the key it is about
     */
    public static AccessLogMapping fromSettings(Map<String, String> settings, String defaultCluster) {
        Map<String, Map<String, String>> byField = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        // Sorted, so that problems come out in a stable order whatever map the caller passed.
        for (Map.Entry<String, String> setting : new TreeMap<>(settings).entrySet()) {
            String key = setting.getKey();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String[] parts = key.substring(PREFIX.length()).split("\\.", -1);
            if (parts.length != 2 || !PROPERTIES.contains(parts[1])) {
                continue;
            }
            if (!FIELDS.contains(parts[0])) {
                problems.add(key + ": unknown field '" + parts[0] + "' (known: " + String.join(", ", FIELDS) + ")");
                continue;
            }
            byField.computeIfAbsent(parts[0], f -> new TreeMap<>())
                    .put(parts[1], setting.getValue() == null ? "" : setting.getValue().strip());
        }
        Map<String, Rule> rules = new TreeMap<>();
        byField.forEach((field, properties) -> {
            try {
                rules.put(field, ruleFromSettings(field, properties));
            } catch (IllegalArgumentException e) {
                problems.add(PREFIX + field + "." + e.getMessage());
            }
        });
        if (defaultCluster == null || defaultCluster.isBlank()) {
            problems.add("the default cluster (ingest's cluster setting) must not be blank");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.size() == 1
                    ? "invalid access-log settings: " + problems.getFirst()
                    : "invalid access-log settings:\n  - " + String.join("\n  - ", problems));
        }
        return new AccessLogMapping(defaultCluster, Optional.ofNullable(rules.get("cluster")),
                Optional.ofNullable(rules.get("namespace")), Optional.ofNullable(rules.get("pool")),
                Optional.ofNullable(rules.get("model")), Optional.ofNullable(rules.get("target-model")),
                Optional.ofNullable(rules.get("input-tokens")), Optional.ofNullable(rules.get("output-tokens")));
    }

    /** Messages start with the property, e.g. {@code regex: ...}, so the caller can prefix the field's key. */
    private static Rule ruleFromSettings(String field, Map<String, String> properties) {
        String from = properties.get("from");
        String regex = properties.get("regex");
        String value = properties.get("value");
        if (regex != null && from == null) {
            throw new IllegalArgumentException("regex: needs " + PREFIX + field + ".from, the sources it applies to");
        }
        if (value != null && value.isEmpty()) {
            throw new IllegalArgumentException("value: empty; remove the key to leave the field unset");
        }
        if (from != null && from.isEmpty() && value == null) {
            throw new IllegalArgumentException("from: empty; name a JSON path or header:NAME, or set "
                    + PREFIX + field + ".value");
        }
        List<String> sources = from == null || from.isEmpty()
                ? List.of()
                : List.of(from.split("\\s*,\\s*", -1));
        Rule rule = new Rule(sources, Optional.ofNullable(regex), Optional.ofNullable(value));
        checkFieldUse(rule, field);
        return rule;
    }

    private static void requireRule(Optional<Rule> rule, String field) {
        Objects.requireNonNull(rule, field);
        rule.ifPresent(r -> {
            try {
                checkFieldUse(r, field);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + "." + e.getMessage(), e);
            }
        });
    }

    private static void checkFieldUse(Rule rule, String field) {
        String group = group(field);
        if (rule.regex().isPresent() && !Pattern.compile(rule.regex().get()).namedGroups().containsKey(group)) {
            throw new IllegalArgumentException("regex: has no named group (?<" + group + ">...) to take the "
                    + field + " from");
        }
        if (rule.value().isPresent() && field.endsWith("-tokens")) {
            throw new IllegalArgumentException("value: a token count is read from each line, it cannot be fixed");
        }
    }

    /**
     * The name of the regex group a field reads: the field's name in camel case, e.g.
     * {@code targetModel} for {@code target-model}, as group names allow only letters and digits.
     */
    static String group(String field) {
        int dash = field.indexOf('-');
        return dash < 0 ? field
                : field.substring(0, dash) + Character.toUpperCase(field.charAt(dash + 1)) + field.substring(dash + 2);
    }

    /**
     * How one field is found.
     *
     * @param from  sources tried in order (see the class description); empty for a fixed value
     * @param regex applied to each source's value; the field's named group gives the value
     * @param value the value when no source gives one
     */
    public record Rule(List<String> from, Optional<String> regex, Optional<String> value) {
        public Rule {
            from = List.copyOf(from);
            Objects.requireNonNull(regex, "regex");
            Objects.requireNonNull(value, "value");
            for (String source : from) {
                checkSource(source);
            }
            regex.ifPresent(Rule::checkRegex);
            if (from.isEmpty() && value.isEmpty()) {
                throw new IllegalArgumentException("from: no source and no value; the field could never be set");
            }
        }

        private static void checkSource(String source) {
            String path = source.startsWith(HEADER) ? source.substring(HEADER.length()) : source;
            if (path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")
                    || !path.equals(path.strip())) {
                throw new IllegalArgumentException("from: '" + source + "' is neither a dotted JSON path such as "
                        + "jsonPayload.modelName nor header:NAME");
            }
        }

        private static void checkRegex(String regex) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("regex: " + e.getDescription() + " near index " + e.getIndex()
                        + " of " + regex, e);
            }
        }
    }
}
