package io.inferpulse.notifier;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParsers;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the routing file, a subset of Alertmanager's configuration: {@code route} and
 * {@code receivers}. Every problem is reported with the file, line and field. Secrets (URLs of
 * webhooks and Slack, PagerDuty routing keys) may be written inline, read from a file
 * ({@code url_file: /run/secrets/x}) or from an environment variable ({@code url_env: SLACK_URL});
 * they never appear in an error message.
 */
final class RoutingFile {
    static final URI PAGERDUTY_EVENTS = URI.create("https://events.pagerduty.com/v2/enqueue");
    static final Duration DEFAULT_GROUP_WAIT = Duration.ofSeconds(30);
    static final Duration DEFAULT_GROUP_INTERVAL = Duration.ofMinutes(5);
    static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofHours(4);

    private final Path file;
    private final Map<String, String> env;
    private final HttpSender http;
    private final PrintStream console;
    private final String externalUrl;
    private final List<String> problems = new ArrayList<>();
    /** The mapping being read: where a missing field is reported. */
    private Node context;

    /** What a receiver's integrations need besides their own settings. */
    record Context(Map<String, String> env, HttpSender http, PrintStream console, String externalUrl) {}

    private RoutingFile(Path file, Context context) {
        this.file = file;
        this.env = context.env();
        this.http = context.http();
        this.console = context.console();
        this.externalUrl = context.externalUrl();
    }

    static Routing load(Path file, Context context) {
        return new RoutingFile(file, context).read();
    }

    private Routing read() {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the routing file: " + e.getClass().getSimpleName());
        }
        Node top;
        try {
            top = new Yaml().compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            // The problem mark's snippet quotes the line, which may hold a secret: keep only the description.
            throw new ConfigException(file + ":" + (e.getProblemMark() == null ? "?" : e.getProblemMark().getLine() + 1)
                    + ": not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(file + ": not valid YAML");
        }
        if (!(top instanceof MappingNode)) {
            throw new ConfigException(file + ":1: expected a mapping with 'route' and 'receivers'");
        }
        Map<String, NodeTuple> fields = fields((MappingNode) top, "", Set.of("route", "receivers"));
        Map<String, Receiver> receivers = new LinkedHashMap<>();
        Map<String, Integer> receiverLines = new HashMap<>();
        if (!fields.containsKey("receivers")) {
            problem(top, "receivers", "required");
        } else {
            List<Node> items = list(fields.get("receivers").getValueNode(), "receivers");
            for (int i = 0; i < items.size(); i++) {
                Receiver r = receiver(items.get(i), "receivers[" + i + "]");
                if (r != null) {
                    if (receivers.containsKey(r.name())) {
                        problem(items.get(i), "receivers[" + i + "].name", "receiver '" + r.name() + "' is defined twice");
                    }
                    receivers.put(r.name(), r);
                    receiverLines.put(r.name(), line(items.get(i)));
                }
            }
        }
        Route root = null;
        if (!fields.containsKey("route")) {
            problem(top, "route", "required");
        } else {
            root = route(fields.get("route").getValueNode(), "route", null, receivers.keySet());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Routing(root, receivers);
    }

    private Route route(Node node, String path, Route parent, Set<String> receiverNames) {
        if (!(node instanceof MappingNode m)) {
            problem(node, path, "expected a mapping");
            return null;
        }
        Map<String, NodeTuple> f = fields(m, path, Set.of("receiver", "group_by", "group_wait", "group_interval",
                "repeat_interval", "matchers", "continue", "routes"));
        String receiver = scalar(f, "receiver", path).orElse(parent == null ? null : parent.receiver());
        if (receiver == null) {
            problem(node, path + ".receiver", "required on the top-level route");
        } else if (f.containsKey("receiver") && !receiverNames.contains(receiver)) {
            problem(f.get("receiver").getValueNode(), path + ".receiver", "no receiver named '" + receiver + "' in receivers");
        }
        List<String> groupBy = parent == null ? List.of() : parent.groupBy();
        boolean groupByAll = parent != null && parent.groupByAll();
        if (f.containsKey("group_by")) {
            groupBy = list(f.get("group_by").getValueNode(), path + ".group_by").stream()
                    .map(n -> scalarOf(n, path + ".group_by")).filter(s -> s != null).toList();
            groupByAll = groupBy.contains("...");
            if (groupByAll && groupBy.size() > 1) {
                problem(f.get("group_by").getValueNode(), path + ".group_by", "'...' groups by all labels and cannot be combined with others");
            }
        }
        Duration wait = duration(f, "group_wait", path, parent == null ? DEFAULT_GROUP_WAIT : parent.groupWait());
        Duration interval = duration(f, "group_interval", path, parent == null ? DEFAULT_GROUP_INTERVAL : parent.groupInterval());
        Duration repeat = duration(f, "repeat_interval", path, parent == null ? DEFAULT_REPEAT_INTERVAL : parent.repeatInterval());
        List<LabelMatcher> matchers = new ArrayList<>();
        if (f.containsKey("matchers")) {
            if (parent == null) {
                problem(f.get("matchers").getKeyNode(), path + ".matchers", "the top-level route matches every alert and takes no matchers");
            }
            List<Node> items = list(f.get("matchers").getValueNode(), path + ".matchers");
            for (int i = 0; i < items.size(); i++) {
                String text = scalarOf(items.get(i), path + ".matchers[" + i + "]");
                if (text != null) {
                    try {
                        matchers.add(LabelMatcher.parse(text));
                    } catch (IllegalArgumentException e) {
                        problem(items.get(i), path + ".matchers[" + i + "]", e.getMessage());
                    }
                }
            }
        }
        boolean cont = f.containsKey("continue") && bool(f.get("continue").getValueNode(), path + ".continue");
        String key = parent == null ? "{}" : parent.key() + "/" + matchers.stream().map(LabelMatcher::toString)
                .collect(java.util.stream.Collectors.joining(",", "{", "}"));
        Route self = new Route(key, receiver, groupBy, groupByAll, wait, interval, repeat, matchers, cont, List.of());
        List<Route> children = new ArrayList<>();
        if (f.containsKey("routes")) {
            List<Node> items = list(f.get("routes").getValueNode(), path + ".routes");
            for (int i = 0; i < items.size(); i++) {
                Route child = route(items.get(i), path + ".routes[" + i + "]", self, receiverNames);
                if (child != null) {
                    children.add(child);
                }
            }
        }
        return new Route(key, receiver, groupBy, groupByAll, wait, interval, repeat, matchers, cont, children);
    }

    private Receiver receiver(Node node, String path) {
        if (!(node instanceof MappingNode m)) {
            problem(node, path, "expected a mapping with name and *_configs");
            return null;
        }
        context = m;
        Map<String, NodeTuple> f = fields(m, path, Set.of("name", "webhook_configs", "slack_configs", "pagerduty_configs",
                "alertmanager_configs", "console_configs"));
        Optional<String> name = scalar(f, "name", path);
        if (name.isEmpty() || name.get().isBlank()) {
            problem(node, path + ".name", "required");
            return null;
        }
        List<Integration> integrations = new ArrayList<>();
        integrations.addAll(configs(f, "alertmanager_configs", path, Set.of("url"), (c, p) -> {
            URI url = url(c, "url", p, false);
            return url == null ? null : new Integrations.Alertmanager(http, url);
        }));
        integrations.addAll(configs(f, "webhook_configs", path, Set.of("url", "url_file", "url_env", "send_resolved"), (c, p) -> {
            URI url = url(c, "url", p, true);
            return url == null ? null : new Integrations.Webhook(http, url, externalUrl, sendResolved(c, p));
        }));
        integrations.addAll(configs(f, "slack_configs", path,
                Set.of("api_url", "api_url_file", "api_url_env", "channel", "send_resolved"), (c, p) -> {
            URI url = url(c, "api_url", p, true);
            return url == null ? null : new Integrations.Slack(http, url, scalar(c, "channel", p).orElse(""), sendResolved(c, p));
        }));
        integrations.addAll(configs(f, "pagerduty_configs", path,
                Set.of("routing_key", "routing_key_file", "routing_key_env", "url", "send_resolved"), (c, p) -> {
            Optional<String> key = secret(c, "routing_key", p);
            URI url = c.containsKey("url") ? url(c, "url", p, false) : PAGERDUTY_EVENTS;
            return key.isEmpty() || url == null ? null : new Integrations.PagerDuty(http, url, key.get(), sendResolved(c, p));
        }));
        integrations.addAll(configs(f, "console_configs", path, Set.of(), (c, p) -> new Integrations.Console(console)));
        return new Receiver(name.get(), integrations);
    }

    private interface IntegrationReader {
        Integration read(Map<String, NodeTuple> fields, String path);
    }

    private List<Integration> configs(Map<String, NodeTuple> f, String key, String path, Set<String> known,
                                      IntegrationReader reader) {
        if (!f.containsKey(key)) {
            return List.of();
        }
        List<Integration> out = new ArrayList<>();
        List<Node> items = list(f.get(key).getValueNode(), path + "." + key);
        for (int i = 0; i < items.size(); i++) {
            String p = path + "." + key + "[" + i + "]";
            Node item = items.get(i);
            if (item instanceof ScalarNode s && s.getValue().isEmpty()) {
                item = new MappingNode(org.yaml.snakeyaml.nodes.Tag.MAP, List.of(), org.yaml.snakeyaml.DumperOptions.FlowStyle.AUTO);
            }
            if (!(item instanceof MappingNode m)) {
                problem(items.get(i), p, "expected a mapping");
                continue;
            }
            context = item;
            Integration integration = reader.read(fields(m, p, known), p);
            if (integration != null) {
                out.add(integration);
            }
        }
        return out;
    }

    /** A URL, optionally secret (then also {@code <key>_file} and {@code <key>_env}); only http(s). */
    private URI url(Map<String, NodeTuple> f, String key, String path, boolean secret) {
        Optional<String> text = secret ? secret(f, key, path) : scalar(f, key, path);
        if (text.isEmpty()) {
            if (!secret) {
                problem(null, path + "." + key, "required");
            }
            return null;
        }
        Node at = firstPresent(f, key);
        try {
            URI uri = URI.create(text.get().strip());
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            problem(at, path + "." + key, secret
                    ? "is not an absolute http(s) URL (value not shown: it is a secret)"
                    : "'" + text.get() + "' is not an absolute http(s) URL");
            return null;
        }
    }

    /** Exactly one of {@code key}, {@code key_file} and {@code key_env}. */
    private Optional<String> secret(Map<String, NodeTuple> f, String key, String path) {
        List<String> given = List.of(key, key + "_file", key + "_env").stream().filter(f::containsKey).toList();
        if (given.size() != 1) {
            problem(given.isEmpty() ? null : f.get(given.get(1)).getKeyNode(), path + "." + key,
                    given.isEmpty() ? "required: give " + key + ", " + key + "_file or " + key + "_env"
                            : "give only one of " + String.join(", ", given));
            return Optional.empty();
        }
        String which = given.get(0);
        Optional<String> value = scalar(f, which, path);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Node at = f.get(which).getValueNode();
        if (which.endsWith("_file")) {
            try {
                String content = Files.readString(Path.of(value.get())).strip();
                if (content.isEmpty()) {
                    problem(at, path + "." + which, "file " + value.get() + " is empty");
                    return Optional.empty();
                }
                return Optional.of(content);
            } catch (IOException | RuntimeException e) {
                problem(at, path + "." + which, "cannot read file " + value.get() + " (" + e.getClass().getSimpleName() + ")");
                return Optional.empty();
            }
        }
        if (which.endsWith("_env")) {
            String v = env.get(value.get());
            if (v == null || v.isBlank()) {
                problem(at, path + "." + which, "environment variable " + value.get() + " is not set");
                return Optional.empty();
            }
            return Optional.of(v.strip());
        }
        return value;
    }

    private Node firstPresent(Map<String, NodeTuple> f, String key) {
        return List.of(key, key + "_file", key + "_env").stream().filter(f::containsKey)
                .map(k -> f.get(k).getValueNode()).findFirst().orElse(null);
    }

    private boolean sendResolved(Map<String, NodeTuple> f, String path) {
        return !f.containsKey("send_resolved") || bool(f.get("send_resolved").getValueNode(), path + ".send_resolved");
    }

    private Duration duration(Map<String, NodeTuple> f, String key, String path, Duration inherited) {
        return parse(f, key, path, ConfigParsers.POSITIVE_DURATION::parse).orElse(inherited);
    }

    private boolean bool(Node node, String path) {
        String v = scalarOf(node, path);
        if (v == null) {
            return false;
        }
        try {
            return ConfigParsers.BOOLEAN.parse(v);
        } catch (IllegalArgumentException e) {
            problem(node, path, e.getMessage());
            return false;
        }
    }

    private <T> Optional<T> parse(Map<String, NodeTuple> f, String key, String path, Function<String, T> parser) {
        Optional<String> text = scalar(f, key, path);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(text.get()));
        } catch (IllegalArgumentException e) {
            problem(f.get(key).getValueNode(), path + "." + key, e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<String> scalar(Map<String, NodeTuple> f, String key, String path) {
        return f.containsKey(key) ? Optional.ofNullable(scalarOf(f.get(key).getValueNode(), path + "." + key)) : Optional.empty();
    }

    private String scalarOf(Node node, String path) {
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        problem(node, path, "expected a single value");
        return null;
    }

    private List<Node> list(Node node, String path) {
        if (node instanceof SequenceNode s) {
            return s.getValue();
        }
        problem(node, path, "expected a list");
        return List.of();
    }

    private Map<String, NodeTuple> fields(MappingNode m, String path, Set<String> known) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = scalarOf(t.getKeyNode(), path);
            if (key == null) {
                continue;
            }
            String p = path.isEmpty() ? key : path + "." + key;
            if (!known.contains(key)) {
                problem(t.getKeyNode(), p, "unknown field (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            } else if (out.containsKey(key)) {
                problem(t.getKeyNode(), p, "given twice");
            } else {
                out.put(key, t);
            }
        }
        return out;
    }

    private void problem(Node at, String path, String message) {
        Node where = at == null ? context : at;
        problems.add(file + ":" + (where == null ? "?" : String.valueOf(line(where))) + ": " + path + ": " + message);
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }
}
