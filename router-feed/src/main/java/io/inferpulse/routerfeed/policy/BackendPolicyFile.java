package io.inferpulse.routerfeed.policy;

import io.inferpulse.runtime.config.ConfigException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads GCPBackendPolicy manifests (networking.gke.io/v1), one YAML document each, as a user would
 * apply them, so a policy can be pasted from the cluster. Every problem names the file, the line and
 * the field. A field this reader does not know is an error, not ignored: Kubernetes prunes unknown
 * fields of a custom resource silently, so a misspelt {@code capacityScalarPercent} there would drop
 * the limit without a word.
 */
public final class BackendPolicyFile {
    static final String API_VERSION = "networking.gke.io/v1";
    static final String KIND = "GCPBackendPolicy";
    private static final Set<String> SETTING_FIELDS = Set.of("backendPreference", "balancingMode",
            "capacityScalerPercent", "customMetrics", "maxInFlightPerEndpoint", "maxRatePerEndpoint");

    private final Path file;
    private final List<String> problems = new ArrayList<>();

    private BackendPolicyFile(Path file) {
        this.file = file;
    }

    /** Every policy in the file; throws {@link ConfigException} listing every problem found. */
    public static List<BackendPolicy> load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the backend policy file: " + e);
        }
        return new BackendPolicyFile(file).read(text);
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
            throw new ConfigException(file + ":" + (e.getProblemMark() == null ? "?" : e.getProblemMark().getLine() + 1)
                    + ": not valid YAML: " + e.getProblem());
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
        Map<String, Node> metadata = mapping(required(top, document, "metadata"), "metadata", null);
        Map<String, Node> spec = mapping(required(top, document, "spec"), "spec", Set.of("targetRef", "default"));
        if (metadata == null || spec == null) {
            return null;
        }
        String name = text(required(metadata, top.get("metadata"), "name"), "metadata.name");
        Map<String, Node> targetRef = mapping(required(spec, top.get("spec"), "targetRef"), "spec.targetRef",
                Set.of("group", "kind", "name", "namespace"));
        String target = targetRef == null ? null : text(required(targetRef, spec.get("targetRef"), "name"), "spec.targetRef.name");
        Node defaultNode = spec.get("default");
        BackendSettings defaults = BackendSettings.NONE;
        List<Scope> scopes = List.of();
        if (defaultNode != null) {
            Set<String> allowed = new java.util.HashSet<>(SETTING_FIELDS);
            allowed.add("scopes");
            Map<String, Node> fields = mapping(defaultNode, "spec.default", allowed);
            if (fields != null) {
                defaults = settings(fields, defaultNode, "spec.default");
                scopes = scopes(fields.get("scopes"));
            }
        }
        if (name == null || target == null || defaults == null || scopes == null) {
            return null;
        }
        try {
            return new BackendPolicy(name, target, defaults, scopes);
        } catch (IllegalArgumentException e) {
            problem(defaultNode, "spec.default.scopes", e.getMessage());
            return null;
        }
    }

    private List<Scope> scopes(Node node) {
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            problem(node, "spec.default.scopes", "expected a list of scopes");
            return null;
        }
        List<Scope> scopes = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < sequence.getValue().size(); i++) {
            Node item = sequence.getValue().get(i);
            String path = "spec.default.scopes[" + i + "]";
            Set<String> allowed = new java.util.HashSet<>(SETTING_FIELDS);
            allowed.add("selector");
            Map<String, Node> fields = mapping(item, path, allowed);
            if (fields == null) {
                ok = false;
                continue;
            }
            Map<String, Node> selectorNodes = mapping(required(fields, item, "selector"), path + ".selector", null);
            BackendSettings settings = settings(fields, item, path);
            if (selectorNodes == null || settings == null) {
                ok = false;
                continue;
            }
            Map<String, String> selector = new LinkedHashMap<>();
            selectorNodes.forEach((label, value) -> selector.put(label, text(value, path + ".selector." + label)));
            if (selector.isEmpty()) {
                problem(item, path + ".selector", "a selector needs at least one cluster label");
                ok = false;
                continue;
            }
            scopes.add(new Scope(selector, settings));
        }
        return ok ? scopes : null;
    }

    private BackendSettings settings(Map<String, Node> fields, Node at, String path) {
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
                problem(tuple.getKeyNode(), field, "unknown field" + suggestion(key, allowed));
            } else if (fields.put(key, tuple.getValueNode()) != null) {
                problem(tuple.getKeyNode(), field, "set twice");
            }
        }
        return fields;
    }

    private Node required(Map<String, Node> fields, Node parent, String key) {
        Node node = fields == null ? null : fields.get(key);
        if (fields != null && node == null) {
            problem(parent, key, "required");
        }
        return node;
    }

    private void expect(Map<String, Node> fields, Node document, String key, String wanted) {
        String actual = text(required(fields, document, key), key);
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
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            problem(node, path, "'" + value + "' is not one of " + java.util.Arrays.toString(type.getEnumConstants()));
            return null;
        }
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
        problems.add(file + ":" + (node == null ? "?" : node.getStartMark().getLine() + 1) + ": " + field + ": " + message);
    }

    /** A hint for a misspelt field: the known one at the smallest edit distance, if it is close. */
    private static String suggestion(String key, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int distance = editDistance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best == null ? "; expected one of " + new java.util.TreeSet<>(known) : "; did you mean " + best + "?";
    }

    private static int editDistance(String a, String b) {
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int above = row[j];
                row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.length()];
    }
}
