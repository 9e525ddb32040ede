package io.inferpulse.ingest.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.fail;

/**
 * Property tests: whatever a line holds, each parser either returns an entry or throws
 * {@link AccessLogParseException} with a reason; nothing else escapes. Each run picks a new seed and
 * prints it; a failure names it, and {@code -Dinferpulse.fuzz.seed=<seed>} replays that run.
 */
class AccessLogParserFuzzTest {

    private static final long SEED = Long.getLong("inferpulse.fuzz.seed", System.nanoTime());
    private static final int CASES = 2_500;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Characters that drive the parsers through their states, over-represented in random input. */
    private static final String SYNTAX = "{}[]\":,.-+eE0123456789 \\/stuvnlfa[]\"-.:TZ\n\r\t\uFFFD";
    private static final String[] KEYS = {"httpRequest", "jsonPayload", "resource", "labels", "type", "status",
        "latency", "requestSize", "responseSize", "serverIp", "timestamp", "receiveTimestamp", "trace", "insertId",
        "proxyStatus", "statusDetails", "modelName", "targetModelName", "inputTokens", "outputTokens",
        "backend_target_name", "backend_service_name", "backend_name", "cluster_name", "namespace_name", "message",
        "log", "data", "start_time", "response_code", "duration", "bytes_received", "bytes_sent", "upstream_host",
        "upstream_cluster", "response_flags", "response_code_details", "x-request-id", "x-gateway-model-name"};
    private static final String[] TOKENS = {"-", "", "0", "200", "-1", "1.5", "1e400", "99999999999999999999",
        "0.006023s", "12ms", "2024-05-01T12:00:00.123Z", "\"", "[", "]", "{", "}", "UF,URX", "\uFFFD", "\uD800",
        "httproute/llm/route/rule/0", "null", "true"};
    @BeforeAll
    static void printSeed() {
        System.out.println("AccessLogParserFuzzTest seed " + SEED + " (replay with -Dinferpulse.fuzz.seed=" + SEED + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gcp-lb", "envoy", "envoy-json"})
    void shouldParseOrRejectRandomStrings(String format) {
        Random random = new Random(SEED);
        List<AccessLogParser> parsers = parsers(format);
        for (int i = 0; i < CASES; i++) {
            StringBuilder line = new StringBuilder();
            int length = random.nextInt(300);
            for (int k = 0; k < length; k++) {
                line.append(random.nextInt(3) == 0 ? (char) random.nextInt(0x10000) : SYNTAX.charAt(random.nextInt(SYNTAX.length())));
            }
            assertParsesOrRejects(parsers, line.toString(), format, "random string", i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gcp-lb", "envoy-json"})
    void shouldParseOrRejectRandomJsonDocuments(String format) {
        Random random = new Random(SEED);
        List<AccessLogParser> parsers = parsers(format);
        for (int i = 0; i < CASES; i++) {
            assertParsesOrRejects(parsers, randomValue(random, 0).toString(), format, "random JSON", i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gcp-lb", "envoy", "envoy-json"})
    void shouldParseOrRejectMutatedValidLines(String format) {
        Random random = new Random(SEED);
        List<AccessLogParser> parsers = parsers(format);
        List<String> corpus = corpus(format);
        for (int i = 0; i < CASES; i++) {
            String line = corpus.get(random.nextInt(corpus.size()));
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                line = mutate(line, random, !format.equals("envoy"));
            }
            assertParsesOrRejects(parsers, line, format, "mutated line", i);
        }
    }

    /** Each format's defaults, and a mapping that exercises regexes, headers, fixed values and token counts. */
    private static List<AccessLogParser> parsers(String format) {
        Map<String, String> mapped = switch (format) {
            case "gcp-lb" -> Map.of(
                    "accesslog.pool.from", "resource.labels.backend_name,resource.labels.backend_target_name",
                    "accesslog.pool.regex", "k8s1-[0-9a-f]{8}-(?<pool>[a-z0-9-]+)",
                    "accesslog.pool.value", "fallback-pool",
                    "accesslog.cluster.from", "labels.container.googleapis.com/cluster_name",
                    "accesslog.output-tokens.from", "jsonPayload.outputTokens",
                    "accesslog.output-tokens.regex", "(?<outputTokens>[0-9]+)");
            case "envoy" -> Map.of(
                    "accesslog.pool.from", ":authority,x-request-id",
                    "accesslog.pool.regex", "(?<pool>[a-z0-9-]+)",
                    "accesslog.model.from", "header:user-agent",
                    "accesslog.input-tokens.from", "bytes_received",
                    "accesslog.output-tokens.from", "x-envoy-upstream-service-time");
            default -> Map.of(
                    "accesslog.pool.from", "resource.labels.backend_name,upstream_cluster,labels.x.y",
                    "accesslog.pool.regex", "(?<pool>[a-z0-9-]+)",
                    "accesslog.model.from", "jsonPayload.modelName,header:X-Gateway-Model-Name",
                    "accesslog.input-tokens.from", "bytes_received",
                    "accesslog.output-tokens.from", "bytes_sent");
        };
        return List.of(Samples.parser(format),
                AccessLogFormats.parser(format, AccessLogMapping.fromSettings(mapped, "fuzz"), 4096));
    }

    private static List<String> corpus(String format) {
        List<String> corpus = new ArrayList<>();
        switch (format) {
            case "gcp-lb" -> {
                for (String type : List.of("http_load_balancer", "http_external_regional_lb_rule", "internal_http_lb_rule")) {
                    corpus.addAll(Samples.lines("gcp-lb/" + type + ".jsonl"));
                }
                String entry = corpus.getFirst();
                corpus.add("{\"message\":{\"data\":\""
                        + Base64.getEncoder().encodeToString(entry.getBytes(StandardCharsets.UTF_8)) + "\"}}");
                corpus.add(JSON.createObjectNode().put("message", entry).toString());
            }
            case "envoy" -> {
                corpus.addAll(Samples.lines("envoy/default-format.log"));
                corpus.add(JSON.createObjectNode().put("log", corpus.getFirst()).toString());
            }
            default -> {
                corpus.addAll(Samples.lines("envoy/gateway-default.jsonl"));
                corpus.add(JSON.createObjectNode().put("log", corpus.getFirst()).toString());
            }
        }
        return corpus;
    }

    private static String mutate(String line, Random random, boolean json) {
        if (json && random.nextInt(3) == 0) {
            String structural = mutateTree(line, random);
            if (structural != null) {
                return structural;
            }
        }
        int at = line.isEmpty() ? 0 : random.nextInt(line.length());
        return switch (random.nextInt(6)) {
            case 0 -> line.substring(0, at);
            case 1 -> line.substring(0, at) + randomChar(random) + line.substring(Math.min(line.length(), at + 1));
            case 2 -> line.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + line.substring(at);
            case 3 -> line.substring(0, at) + line.substring(Math.min(line.length(), at + 1 + random.nextInt(20)));
            case 4 -> swapToken(line, random);
            default -> line.substring(0, at) + line.substring(at / 2, at) + line.substring(at);
        };
    }

    /** Replaces one space-separated token, as a field of the Envoy text format. */
    private static String swapToken(String line, Random random) {
        String[] tokens = line.split(" ", -1);
        int which = random.nextInt(tokens.length);
        tokens[which] = random.nextBoolean() ? TOKENS[random.nextInt(TOKENS.length)] : "";
        return String.join(" ", tokens);
    }

    /** Deletes a field or swaps a value for one of another type, somewhere in the tree; null if not JSON. */
    private static String mutateTree(String line, Random random) {
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return null;
        }
        List<ObjectNode> objects = new ArrayList<>();
        collectObjects(root, objects);
        if (objects.isEmpty()) {
            return null;
        }
        ObjectNode target = objects.get(random.nextInt(objects.size()));
        List<String> names = new ArrayList<>();
        target.fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) {
            return null;
        }
        String name = names.get(random.nextInt(names.size()));
        if (random.nextBoolean()) {
            target.remove(name);
        } else {
            target.set(name, randomValue(random, 2));
        }
        return root.toString();
    }

    private static void collectObjects(JsonNode node, List<ObjectNode> objects) {
        if (node instanceof ObjectNode object) {
            objects.add(object);
        }
        if (node instanceof ContainerNode<?>) {
            node.forEach(child -> collectObjects(child, objects));
        }
    }

    private static JsonNode randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 3 ? 6 : 8);
        return switch (kind) {
            case 0 -> JSON.getNodeFactory().nullNode();
            case 1 -> JSON.getNodeFactory().booleanNode(random.nextBoolean());
            case 2 -> JSON.getNodeFactory().numberNode(random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(1000) - 10);
            case 3 -> JSON.getNodeFactory().numberNode(random.nextDouble() * Math.pow(10, random.nextInt(30) - 10));
            case 4, 5 -> JSON.getNodeFactory().textNode(TOKENS[random.nextInt(TOKENS.length)]);
            case 6 -> {
                ArrayNode array = JSON.createArrayNode();
                for (int i = random.nextInt(3); i > 0; i--) {
                    array.add(randomValue(random, depth + 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = JSON.createObjectNode();
                for (int i = random.nextInt(6); i > 0; i--) {
                    object.set(KEYS[random.nextInt(KEYS.length)], randomValue(random, depth + 1));
                }
                yield object;
            }
        };
    }

    private static char randomChar(Random random) {
        return random.nextBoolean() ? SYNTAX.charAt(random.nextInt(SYNTAX.length())) : (char) random.nextInt(0x10000);
    }

    private static void assertParsesOrRejects(List<AccessLogParser> parsers, String line, String format, String kind,
                                              int caseNumber) {
        for (AccessLogParser parser : parsers) {
            try {
                parser.parse(line);
            } catch (AccessLogParseException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    fail("seed " + SEED + ", " + format + " " + kind + " " + caseNumber + ": no reason for " + line, e);
                }
            } catch (RuntimeException e) {
                fail("seed " + SEED + ", " + format + " " + kind + " " + caseNumber + ": " + e + "\nline: " + line, e);
            }
        }
    }
}
