package io.inferpulse.streams.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Loads Prometheus rule files ({@code groups: [{name, interval, rules: [{alert, expr, for, keep_firing_for, labels,
 * annotations}]}]}) and compiles their alerting rules. Every problem is reported, each naming file:line, the rule and
 * the construct, in one {@link RuleFileException}; SnakeYAML's node tree supplies the lines.
 */
public final class RuleFiles {

    /** The seeds' alert rules, loaded by {@link #loadDefault}. */
    public static final String DEFAULT_RESOURCE = "/io/inferpulse/streams/rules/alerts.yaml";

    private static final Set<String> FILE_KEYS = Set.of("groups");
    private static final Set<String> GROUP_KEYS = Set.of("name", "interval", "rules");
    private static final Set<String> RULE_KEYS = Set.of("alert", "expr", "for", "keep_firing_for", "labels", "annotations");

    private RuleFiles() {
    }

    /** Every group of every file, in order; RuleFileException listing all problems if any file has one. */
    public static List<RuleGroup> load(List<Path> files, RuleSettings settings) throws RuleFileException {
        List<RuleGroup> groups = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Path file : files) {
            String content;
            try {
                content = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                errors.add(file + ": cannot read rule file: " + e);
                continue;
            }
            try {
                groups.addAll(parse(content, file.toString(), settings));
            } catch (RuleFileException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleFileException(errors);
        }
        return List.copyOf(groups);
    }

    /** The seeds' alerts.yaml from the classpath. */
    public static List<RuleGroup> loadDefault(RuleSettings settings) {
        try (InputStream in = RuleFiles.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + DEFAULT_RESOURCE + " is missing from the build");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "alerts.yaml", settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath resource " + DEFAULT_RESOURCE, e);
        }
    }

    /** The groups in {@code content}, which came from {@code file} (used in messages and {@link RuleGroup#file}). */
    public static List<RuleGroup> parse(String content, String file, RuleSettings settings) throws RuleFileException {
        return new FileParser(file, settings).parse(content);
    }

    private static final class FileParser {
        private final String file;
        private final RuleSettings settings;
        private final List<String> errors = new ArrayList<>();

        FileParser(String file, RuleSettings settings) {
            this.file = file;
            this.settings = settings;
        }

        List<RuleGroup> parse(String content) {
            Node root;
            try {
                root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(content));
            } catch (MarkedYAMLException e) {
                Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
                String line = mark == null ? "" : ":" + (mark.getLine() + 1);
                throw new RuleFileException(List.of(file + line + ": malformed YAML: " + e.getProblem()
                        + (e.getContext() != null ? " (" + e.getContext() + ")" : "")));
            } catch (YAMLException e) {
                throw new RuleFileException(List.of(file + ": malformed YAML: " + e.getMessage()));
            }
            List<RuleGroup> groups = new ArrayList<>();
            if (root != null && !isNull(root)) {
                Map<String, Node> top = mapping(root, FILE_KEYS, "");
                Node groupsNode = top == null ? null : top.get("groups");
                if (groupsNode != null && !isNull(groupsNode)) {
                    Set<String> names = new HashSet<>();
                    for (Node groupNode : sequence(groupsNode, "groups")) {
                        RuleGroup group = group(groupNode, names);
                        if (group != null) {
                            groups.add(group);
                        }
                    }
                }
            }
            if (!errors.isEmpty()) {
                throw new RuleFileException(errors);
            }
            return List.copyOf(groups);
        }

        private RuleGroup group(Node node, Set<String> names) {
            String rawName = field(node, "name");
            Map<String, Node> fields = mapping(node, GROUP_KEYS, rawName == null ? "group" : "group \"" + rawName + "\"");
            if (fields == null) {
                return null;
            }
            String name = scalar(fields.get("name"), "group", "name");
            if (name == null || name.isEmpty()) {
                error(node, "group", "field 'name' must be set to a non-empty string");
                return null;
            }
            String subject = "group \"" + name + "\"";
            if (!names.add(name)) {
                error(fields.get("name"), subject, "groupname is repeated in the same file");
            }
            Duration interval = settings.defaultInterval();
            Duration parsed = duration(fields.get("interval"), subject, "interval");
            if (parsed != null && !parsed.isZero()) {
                interval = parsed;
            }
            List<AlertingRule> rules = new ArrayList<>();
            Node rulesNode = fields.get("rules");
            if (rulesNode != null && !isNull(rulesNode)) {
                int index = 0;
                for (Node ruleNode : sequence(rulesNode, subject + ": rules")) {
                    index++;
                    AlertingRule rule = rule(ruleNode, name, index);
                    if (rule != null) {
                        rules.add(rule);
                    }
                }
            }
            return new RuleGroup(name, interval, rules, file);
        }

        private AlertingRule rule(Node node, String group, int index) {
            String name = field(node, "alert");
            String subject = name == null || name.isEmpty() ? "rule #" + index + " of group \"" + group + "\"" : "rule " + name;
            if (node instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("record")) {
                        error(k, subject, "recording rules (record:) are not supported; only alerting rules (alert:)");
                        return null;
                    }
                }
            }
            int errorsBefore = errors.size();
            Map<String, Node> fields = mapping(node, RULE_KEYS, subject);
            if (fields == null) {
                return null;
            }
            if (name == null || name.isEmpty()) {
                error(node, subject, "field 'alert' must be set");
            }
            String expr = scalar(fields.get("expr"), subject, "expr");
            Expr compiled = null;
            if (expr == null || expr.isBlank()) {
                error(node, subject, "field 'expr' must be set");
            } else {
                try {
                    compiled = PromQlParser.parse(expr, settings.requestWindow());
                } catch (PromQlException e) {
                    error(fields.get("expr"), subject, "expr \"" + expr.strip() + "\": " + e.getMessage());
                }
            }
            Duration hold = duration(fields.get("for"), subject, "for");
            Duration keep = duration(fields.get("keep_firing_for"), subject, "keep_firing_for");
            Map<String, Template> labels = templates(fields.get("labels"), subject, "label");
            Map<String, Template> annotations = templates(fields.get("annotations"), subject, "annotation");
            if (errors.size() > errorsBefore) {
                return null;
            }
            return new AlertingRule(name, group, expr, compiled, hold == null ? Duration.ZERO : hold,
                    keep == null ? Duration.ZERO : keep, labels, annotations, settings.externalUrl());
        }

        /** A scalar field read ahead of validation, so messages about the mapping can name what it is. */
        private static String field(Node node, String key) {
            if (node instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)
                            && t.getValueNode() instanceof ScalarNode v && !isNull(v)) {
                        return v.getValue();
                    }
                }
            }
            return null;
        }

        private Map<String, Template> templates(Node node, String subject, String kind) {
            Map<String, Template> out = new LinkedHashMap<>();
            if (node == null || isNull(node)) {
                return out;
            }
            Map<String, Node> entries = mapping(node, null, subject);
            if (entries == null) {
                return out;
            }
            boolean isLabel = kind.equals("label");
            entries.forEach((key, valueNode) -> {
                if (!key.matches("[a-zA-Z_][a-zA-Z0-9_]*") || (isLabel && (key.equals(Sample.METRIC_NAME)
                        || key.equals(AlertingRule.ALERT_NAME)))) {
                    error(valueNode, subject, "invalid " + kind + " name \"" + key + "\" (must match"
                            + " [a-zA-Z_][a-zA-Z0-9_]*" + (isLabel ? " and not be __name__ or alertname)" : ")"));
                    return;
                }
                String text = scalar(valueNode, subject, kind + " \"" + key + "\"");
                if (text == null) {
                    return;
                }
                try {
                    out.put(key, Template.parse(text));
                } catch (IllegalArgumentException e) {
                    error(valueNode, subject, kind + " \"" + key + "\": bad template: " + e.getMessage());
                }
            });
            return out;
        }

        private Duration duration(Node node, String subject, String field) {
            String text = scalar(node, subject, field);
            if (text == null) {
                return null;
            }
            try {
                return PromDuration.parse(text);
            } catch (IllegalArgumentException e) {
                error(node, subject, field + ": " + e.getMessage());
                return null;
            }
        }

        /** The mapping's entries by key; unknown keys (when {@code allowed} is given) and duplicates are errors. */
        private Map<String, Node> mapping(Node node, Set<String> allowed, String subject) {
            if (!(node instanceof MappingNode m)) {
                error(node, subject, "expected a mapping, found " + kind(node));
                return null;
            }
            Map<String, Node> out = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode key)) {
                    error(t.getKeyNode(), subject, "keys must be plain strings");
                    continue;
                }
                if (allowed != null && !allowed.contains(key.getValue())) {
                    error(key, subject, "unknown field \"" + key.getValue() + "\"; allowed: "
                            + allowed.stream().sorted().toList());
                    continue;
                }
                if (out.put(key.getValue(), t.getValueNode()) != null) {
                    error(key, subject, "field \"" + key.getValue() + "\" is given twice");
                }
            }
            return out;
        }

        private List<Node> sequence(Node node, String subject) {
            if (node instanceof SequenceNode s) {
                return s.getValue();
            }
            error(node, subject, "expected a list, found " + kind(node));
            return List.of();
        }

        private String scalar(Node node, String subject, String field) {
            if (node == null || isNull(node)) {
                return null;
            }
            if (node instanceof ScalarNode s) {
                return s.getValue();
            }
            error(node, subject, field + ": expected a string, found " + kind(node));
            return null;
        }

        /** "rule X (file:line): message" for rules, "file:line: subject: message" for the rest. */
        private void error(Node node, String subject, String message) {
            String at = file + ":" + line(node);
            if (subject.startsWith("rule ")) {
                errors.add(subject + " (" + at + "): " + message);
            } else {
                errors.add(at + ": " + (subject.isEmpty() ? "" : subject + ": ") + message);
            }
        }

        private static boolean isNull(Node node) {
            return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
        }

        private static int line(Node node) {
            return node.getStartMark().getLine() + 1;
        }

        private static String kind(Node node) {
            return switch (node) {
                case MappingNode m -> "a mapping";
                case SequenceNode s -> "a list";
                case ScalarNode s -> "\"" + s.getValue() + "\"";
                default -> node.getNodeId().name();
            };
        }
    }
}
