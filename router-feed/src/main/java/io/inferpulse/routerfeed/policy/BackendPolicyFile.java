package io.inferpulse.routerfeed.policy;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.Spelling;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads GCPBackendPolicy manifests (networking.gke.io/v1), one YAML document each, as a user would
 * apply them, so a policy can be pasted from the cluster. Every problem names the source (the file
 * and line), the field and what is wrong with it. A field this reader does not know is an error,
 * not ignored: Kubernetes prunes unknown fields of a custom resource silently, so a misspelt
 * {@code capacityScalarPercent} there would drop the limit without a word.
 */
public final class BackendPolicyFile {
    static final String API_VERSION = "networking.gke.io/v1";
    static final String KIND = "GCPBackendPolicy";
    /** The kinds of targetRef a picker's policy can name: a pool, or a pool imported from another cluster. */
    static final Set<String> POOL_KINDS = Set.of("InferencePool", "GCPInferencePoolImport");
    private static final Set<String> SETTING_FIELDS = Set.of("backendPreference", "balancingMode",
            "capacityScalerPercent", "customMetrics", "maxInFlightPerEndpoint", "maxRatePerEndpoint");

    private final String source;
    private final boolean lines;
    private final List<String> problems = new ArrayList<>();

    private BackendPolicyFile(String source, boolean lines) {
        this.source = source;
        this.lines = lines;
    }

    /**
     * Every policy in the file, checked against each other (one policy per pool).
     *
     * @throws ConfigException listing every problem found, each with the file and line
     */
    public static BackendPolicies load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the backend policy file: " + e);
        }
        List<BackendPolicy> policies = new BackendPolicyFile(file.toString(), true).read(text);
        try {
            return BackendPolicies.of(policies);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    /**
     * One policy from a document that did not come from a file (a resource read from the cluster),
     * so problems name {@code source} and no line.
     *
     * @throws ConfigException listing every problem found
     */
    static BackendPolicy parse(String source, String yaml) {
        List<BackendPolicy> policies = new BackendPolicyFile(source, false).read(yaml);
        if (policies.size() != 1) {
            throw new ConfigException(source + ": expected one policy, found " + policies.size());
        }
        return policies.getFirst();
    }

    private List<BackendPolicy> read(String text) {
        List<BackendPolicy> policies = new ArrayList<>();
        try {
            for (Node document : new Yaml().composeAll(new StringReader(text))) {
                BackendPolicy policy = policy(document);
                if (policy != null) {
                    policies.add(policy);
                }
            }
        } catch (MarkedYAMLException e) {
            problems.add(where(e.getProblemMark() == null ? -1 : e.getProblemMark().getLine()) + "not valid YAML: "
                    + e.getProblem());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return policies;
    }

    private BackendPolicy policy(Node document) {
        Map<String, Node> top = mapping(document, "", Set.of("apiVersion", "kind", "metadata", "spec"));
        if (top == null) {
            return null;
        }
        expect(top, document, "apiVersion", API_VERSION);
        expect(top, document, "kind", KIND);
        Map<String, Node> metadata = mapping(required(top, document, "", "metadata"), "metadata", null);
        Map<String, Node> spec = mapping(required(top, document, "", "spec"), "spec", Set.of("targetRef", "default"));
        if (metadata == null || spec == null) {
            return null;
        }
        String name = text(required(metadata, top.get("metadata"), "metadata", "name"), "metadata.name");
        String namespace = metadata.containsKey("namespace") ? text(metadata.get("namespace"), "metadata.namespace") : "";
        Map<String, Node> targetRef = mapping(required(spec, top.get("spec"), "spec", "targetRef"), "spec.targetRef",
                Set.of("group", "kind", "name", "namespace"));
        String target = targetRef == null ? null
                : text(required(targetRef, spec.get("targetRef"), "spec.targetRef", "name"), "spec.targetRef.name");
        String targetKind = targetRef == null || !targetRef.containsKey("kind") ? null
                : text(targetRef.get("kind"), "spec.targetRef.kind");
        if (targetKind != null && !POOL_KINDS.contains(targetKind)) {
            problem(targetRef.get("kind"), "spec.targetRef.kind", "'" + targetKind + "' is not a pool; the picker applies"
                    + " policies that target one of " + new TreeSet<>(POOL_KINDS));
            target = null;
        }
        Node defaultNode = spec.get("default");
        BackendSettings defaults = BackendSettings.NONE;
        List<Scope> scopes = List.of();
        List<ScopeNode> scopeNodes = List.of();
        if (defaultNode != null) {
            Map<String, Node> fields = mapping(defaultNode, "spec.default", with(SETTING_FIELDS, "scopes"));
            if (fields != null) {
                defaults = settings(fields, "spec.default");
                scopeNodes = scopeNodes(fields.get("scopes"));
                scopes = scopes(scopeNodes);
            }
        }
        if (name == null || namespace == null || target == null || defaults == null || scopes == null) {
            return null;
        }
        List<BackendPolicy.Conflict> conflicts = BackendPolicy.conflicts(defaults, scopes);
        for (BackendPolicy.Conflict conflict : conflicts) {
            problem(scopeNodes.get(conflict.scope()).fields().get(conflict.field()),
                    "spec.default.scopes[" + conflict.scope() + "]." + conflict.field(),
                    BackendPolicy.describe(name, scopes, conflict));
        }
        return conflicts.isEmpty() ? new BackendPolicy(name, namespace, target, defaults, scopes) : null;
    }

    /** One entry of {@code spec.default.scopes}: its node, for the line, and its fields by name. */
    private record ScopeNode(Node node, Map<String, Node> fields) {}

    /** The entries of the scope list, or null when {@code node} is not a list of mappings. */
    private List<ScopeNode> scopeNodes(Node node) {
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            problem(node, "spec.default.scopes", "expected a list of scopes");
            return null;
        }
        List<ScopeNode> all = new ArrayList<>();
        for (int i = 0; i < sequence.getValue().size(); i++) {
            Node item = sequence.getValue().get(i);
            Map<String, Node> fields = mapping(item, scopePath(i), with(SETTING_FIELDS, "selector"));
            if (fields != null) {
                all.add(new ScopeNode(item, fields));
            }
        }
        return all.size() == sequence.getValue().size() ? all : null;
    }

    private List<Scope> scopes(List<ScopeNode> nodes) {
        if (nodes == null) {
            return null;
        }
        List<Scope> scopes = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Map<String, Node> fields = nodes.get(i).fields();
            String path = scopePath(i);
            Map<String, String> selector = selector(required(fields, nodes.get(i).node(), path, "selector"), path + ".selector");
            BackendSettings settings = settings(fields, path);
            if (selector != null && settings != null) {
                scopes.add(new Scope(selector, settings));
            }
        }
        return scopes.size() == nodes.size() ? scopes : null;
    }

    private Map<String, String> selector(Node node, String path) {
        Map<String, Node> labels = mapping(node, path, null);
        if (labels == null) {
            return null;
        }
        if (labels.isEmpty()) {
            problem(node, path, "a selector needs at least one cluster label");
            return null;
        }
        Map<String, String> selector = new LinkedHashMap<>();
        labels.forEach((label, value) -> {
            String text = text(value, path + "." + label);
            if (text != null) {
                selector.put(label, text);
            }
        });
        return selector.size() == labels.size() ? selector : null;
    }

    private BackendSettings settings(Map<String, Node> fields, String path) {
        int before = problems.size();
        if (fields.containsKey("customMetrics")) {
            problem(fields.get("customMetrics"), path + ".customMetrics", "custom metrics are not supported: endpoint"
                    + " scores carry no custom metrics to balance on");
        }
        BackendSettings.Preference preference = enumValue(fields.get("backendPreference"), path + ".backendPreference",
                BackendSettings.Preference.class);
        BackendSettings.BalancingMode mode = null;
        Node modeNode = fields.get("balancingMode");
        if (modeNode != null && "CUSTOM_METRICS".equals(text(modeNode, path + ".balancingMode"))) {
            problem(modeNode, path + ".balancingMode", "CUSTOM_METRICS is not supported: endpoint scores carry no"
                    + " custom metrics; use RATE, UTILIZATION or IN_FLIGHT");
        } else {
            mode = enumValue(modeNode, path + ".balancingMode", BackendSettings.BalancingMode.class);
        }
        Integer scaler = integer(fields.get("capacityScalerPercent"), path + ".capacityScalerPercent", 0, 100);
        Integer inFlight = integer(fields.get("maxInFlightPerEndpoint"), path + ".maxInFlightPerEndpoint", 1, Integer.MAX_VALUE);
        Double rate = positive(fields.get("maxRatePerEndpoint"), path + ".maxRatePerEndpoint");
        return problems.size() > before ? null : new BackendSettings(preference, mode, scaler, inFlight, rate);
    }

    private Map<String, Node> mapping(Node node, String path, Set<String> allowed) {
        if (node == null) {
            return null;
        }
        if (!(node instanceof MappingNode mapping)) {
            problem(node, path.isEmpty() ? "(document)" : path, "expected a mapping");
            return null;
        }
        Map<String, Node> fields = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(tuple.getKeyNode());
            String field = path.isEmpty() ? key : path + "." + key;
            if (allowed != null && !allowed.contains(key)) {
                problem(tuple.getKeyNode(), field, "unknown field" + Spelling.closest(key, allowed)
                        .map(known -> "; did you mean " + known + "?")
                        .orElse("; expected one of " + new TreeSet<>(allowed)));
            } else if (fields.put(key, tuple.getValueNode()) != null) {
                problem(tuple.getKeyNode(), field, "set twice");
            }
        }
        return fields;
    }

    private Node required(Map<String, Node> fields, Node parent, String path, String key) {
        Node node = fields == null ? null : fields.get(key);
        if (fields != null && node == null) {
            problem(parent, path.isEmpty() ? key : path + "." + key, "required");
        }
        return node;
    }

    private void expect(Map<String, Node> fields, Node document, String key, String wanted) {
        String actual = text(required(fields, document, "", key), key);
        if (actual != null && !actual.equals(wanted)) {
            problem(fields.get(key), key, "expected " + wanted + ", was " + actual);
        }
    }

    private String text(Node node, String path) {
        if (node == null) {
            return null;
        }
        if (!(node instanceof ScalarNode scalar)) {
            problem(node, path, "expected a single value");
            return null;
        }
        return scalar.getValue();
    }

    private <E extends Enum<E>> E enumValue(Node node, String path, Class<E> type) {
        String value = text(node, path);
        if (value == null) {
            return null;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(value)) {
                return constant;
            }
        }
        problem(node, path, "'" + value + "' is not one of " + Arrays.toString(type.getEnumConstants()));
        return null;
    }

    private Integer integer(Node node, String path, int min, int max) {
        String value = text(node, path);
        if (value == null) {
            return null;
        }
        if (value.strip().matches("-?\\d{1,9}")) {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        }
        problem(node, path, "'" + value + "' is not a whole number from " + min + " to " + (max == Integer.MAX_VALUE ? "any" : max));
        return null;
    }

    private Double positive(Node node, String path) {
        String value = text(node, path);
        if (value == null) {
            return null;
        }
        double parsed;
        try {
            parsed = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            problem(node, path, "'" + value + "' is not a number");
            return null;
        }
        if (!(parsed > 0 && Double.isFinite(parsed))) {
            problem(node, path, "'" + value + "' is not a number above 0");
            return null;
        }
        return parsed;
    }

    private void problem(Node node, String field, String message) {
        problems.add(where(node == null ? -1 : node.getStartMark().getLine()) + field + ": " + message);
    }

    /** {@code source:line: } from a zero-based line, or {@code source: } where lines mean nothing. */
    private String where(int line) {
        return source + (lines ? ":" + (line < 0 ? "?" : String.valueOf(line + 1)) : "") + ": ";
    }

    private static String scopePath(int index) {
        return "spec.default.scopes[" + index + "]";
    }

    private static Set<String> with(Set<String> fields, String more) {
        Set<String> all = new HashSet<>(fields);
        all.add(more);
        return all;
    }
}
