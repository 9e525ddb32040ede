package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What a newcomer sees: {@code inferpulse demo} printing pool averages that follow the simulated
 * load, and a load spike that makes an alert fire and resolve, delivered by the console receiver,
 * while the demo's HPA scales the pool out and, after the spike, back in.
 */
class DemoIT {
    // POOL READY KV-CACHE QUEUE(avg) RUNNING(avg) QUEUE(sum) LOAD(req/s) AGE
    private static final Pattern POOL_LINE = Pattern.compile(
            "^(local/default/pool-\\d)\\s+(\\d+)\\s+([\\d.]+) %\\s+([\\d.]+)\\s+([\\d.]+)\\s+(\\d+)\\s+([\\d.]+)\\s+([\\d.]+)s$");
    private static final String QUEUE_ALERT = "HighInferencePoolAvgQueueSize";

    @Test
    void shouldShowPoolAveragesAnAlertAndAScaleOutThatALoadSpikeCausesAndThatEndAfterIt(@TempDir Path dir) throws Exception {
        // given the demo's output captured
        StringWriter output = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(output, true));

        // when it runs with a load spike on pool-0 a few seconds in
        Thread demo = Thread.ofPlatform().name("demo-under-test").start(() -> cli.execute("demo", "--pools", "2",
                "--pods", "3", "--duration", "300s", "--http-port", "0", "--data-dir", dir.toString(),
                "--spike-pool", "pool-0", "--spike-after", "5s", "--spike-for", "60s", "--spike-factor", "10",
                "--scale-down-window", "30s", "--metrics-api-port", "0"));
        try {
            // then the queue alert of pool-0 fires and, once the queue has drained, resolves, each printed
            // by the console receiver (the demo rules have for: 30s); and the pool scales back in
            await().atMost(Duration.ofSeconds(280)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> resolvedLine(output.toString()) >= 0 && scaleInLine(output.toString()) >= 0
                            && lastReadyOfPool0(output.toString()).equals("3"));
            // and while it runs, kubectl reads pool-0's KV-cache use from the metrics API the demo printed
            JsonNode list = kubectl(output.toString(), dir);
            assertThat(list.path("kind").asText()).isEqualTo("ExternalMetricValueList");
            assertThat(list.path("items")).singleElement().satisfies(item -> {
                assertThat(item.path("metricName").asText()).isEqualTo("inference_pool_average_kv_cache_utilization");
                assertThat(item.path("metricLabels").path("name").asText()).isEqualTo("pool-0");
                assertThat(item.path("value").asText()).matches("\\d+[mun]?");
            });
        } finally {
            demo.interrupt();
            demo.join(Duration.ofSeconds(60));
        }
        assertThat(demo.isAlive()).as("demo still running 60 s after it was interrupted").isFalse();
        String text = output.toString();
        assertThat(text).contains("inferpulse demo is running.", "Kafka ", "Schema registry  http://127.0.0.1:",
                "/metrics", "inferpulse.pod-metrics -> inferpulse.pool-stats", "access log -> inferpulse.access-logs",
                "demo-alerts.yaml -> inferpulse.alerts", "Load spike       pool-0 at 10.0 times its load, 5 s in, for 60 s",
                "Autoscaler       HPA algorithm every 15 s on inference_pool_average_kv_cache_utilization from the metrics API, "
                        + "Value target 0.8, 3 to 6 pods per pool, scale-down window 30 s");

        List<String> lines = List.of(text.split("\n"));
        int spike = indexOf(lines, l -> l.endsWith("load spike: pool-0 at 10.0 times its load for 60 s"));
        int firing = indexOf(lines, l -> l.contains("[FIRING:1] " + QUEUE_ALERT + " (critical)") && l.contains("name=\"pool-0\""));
        int resolved = resolvedLine(text);
        assertThat(spike).as("spike announced").isNotNegative();
        assertThat(firing).as("firing notification after the spike").isGreaterThan(spike);
        assertThat(resolved).as("resolved notification after the firing one").isGreaterThan(firing);
        assertThat(lines.get(firing + 1)).as("the alert under the firing summary")
                .contains(QUEUE_ALERT + " {", "cluster=\"local\"", "namespace=\"default\"", "severity=\"critical\"",
                        "High average queue size for inference pool pool-0");
        int scaleOut = indexOf(lines, l -> l.contains("autoscaler: pool-0 3 -> "));
        int scaleIn = scaleInLine(text);
        assertThat(scaleOut).as("pool-0 scaled out after the spike began").isGreaterThan(spike);
        assertThat(lines.get(scaleOut)).containsPattern("pool-0 3 -> [4-6] pods \\(KV cache \\d+ % vs target 80 %");
        assertThat(scaleIn).as("pool-0 back to 3 pods after scaling out").isGreaterThan(scaleOut);
        assertThat(lines.subList(0, firing)).as("pool-1 never had a queue alert")
                .noneMatch(l -> l.contains(QUEUE_ALERT) && l.contains("name=\"pool-1\""));

        // and the gateway routed through the picker, its round-robin twin serving the same load beside it
        Matcher routed = Pattern.compile("picker answered (\\d+) requests, (\\d+) went round robin \\(").matcher(text);
        long answered = -1;
        long fellBack = -1;
        while (routed.find()) {
            answered = Long.parseLong(routed.group(1));
            fellBack = Long.parseLong(routed.group(2));
        }
        assertThat(answered).as("requests the picker routed").isGreaterThan(1000);
        // Before the first scores and while a spike fills every picked pod's queue, requests go round robin.
        assertThat(fellBack).as("requests routed round robin instead").isLessThan(answered / 4);
        assertThat(text).containsPattern("picker \\(max-score\\)\\s+\\d+\\s+\\d+\\s+[\\d.]+s\\s+[\\d.]+s\\s+[\\d.]+s")
                .containsPattern("round robin \\(twin fleet\\)\\s+\\d+\\s+\\d+\\s+[\\d.]+s\\s+[\\d.]+s\\s+[\\d.]+s");

        // and every refresh after the first few shows both pools, each with its running pods ready
        List<String[]> blocks = blocks(text);
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(6);
        int firstWithData = 0;
        while (firstWithData < blocks.size() && blocks.get(firstWithData).length == 0) {
            firstWithData++;
        }
        assertThat(firstWithData).as("refreshes (2 s apart) before the first pool stats").isLessThanOrEqualTo(3);
        List<String> pool0 = new ArrayList<>();
        double highestQueue = 0;
        int mostReady = 0;
        for (String[] block : blocks.subList(firstWithData, blocks.size())) {
            assertThat(block).hasSize(2);
            for (String line : block) {
                Matcher m = POOL_LINE.matcher(line);
                assertThat(m.matches()).as(line).isTrue();
                assertThat(Integer.parseInt(m.group(2))).as("ready pods in " + line).isBetween(3, 6);
                assertThat(Double.parseDouble(m.group(8))).as("age of " + line).isLessThan(3.0);
                if (m.group(1).endsWith("pool-0")) {
                    pool0.add(m.group(3) + " " + m.group(5));
                    highestQueue = Math.max(highestQueue, Double.parseDouble(m.group(4)));
                    mostReady = Math.max(mostReady, Integer.parseInt(m.group(2)));
                }
            }
        }
        // and the averages move as the simulated load moves, the queue past the rule's 50 in the spike
        assertThat(pool0.stream().distinct().count()).as("distinct (kv, running) of pool-0: " + pool0).isGreaterThan(2);
        assertThat(highestQueue).as("highest average queue of pool-0 shown").isGreaterThan(50);
        // and the table follows the scaling: more ready pods during the spike, 3 again at the end
        assertThat(mostReady).as("most ready pods of pool-0 shown").isGreaterThan(3);
        assertThat(lastReadyOfPool0(text)).as("ready pods of pool-0 in the last refresh").isEqualTo("3");
    }

    private static int resolvedLine(String text) {
        return indexOf(List.of(text.split("\n")),
                l -> l.contains("[RESOLVED] " + QUEUE_ALERT + " (critical)") && l.contains("name=\"pool-0\""));
    }

    /** Ready pods of pool-0 in the last refresh that shows it. */
    private static String lastReadyOfPool0(String text) {
        String ready = "";
        for (String[] block : blocks(text)) {
            for (String line : block) {
                Matcher m = POOL_LINE.matcher(line);
                if (m.matches() && m.group(1).endsWith("pool-0")) {
                    ready = m.group(2);
                }
            }
        }
        return ready;
    }

    /** Runs the kubectl command the demo printed, with a kubeconfig of its own. */
    private static JsonNode kubectl(String text, Path dir) throws Exception {
        Matcher printed = Pattern.compile("kubectl get --raw '([^']+)' --server (https://127\\.0\\.0\\.1:\\d+)").matcher(text);
        assertThat(printed.find()).as("the demo prints a kubectl command").isTrue();
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
        Process process = new ProcessBuilder("kubectl", "get", "--raw", printed.group(1), "--server", printed.group(2),
                "--insecure-skip-tls-verify", "--token", "unused", "--kubeconfig", kubeconfig.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl did not finish within 30 s");
        }
        String answer = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(answer).isZero();
        return new ObjectMapper().readTree(answer);
    }

    private static int scaleInLine(String text) {
        return indexOf(List.of(text.split("\n")), l -> l.matches(".*autoscaler: pool-0 [4-6] -> 3 pods .*"));
    }

    private static int indexOf(List<String> lines, Predicate<String> match) {
        for (int i = 0; i < lines.size(); i++) {
            if (match.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** The pool lines of each refresh, in order; a refresh before the first stats has none. */
    private static List<String[]> blocks(String text) {
        List<String[]> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("-- ")) {
                if (current != null) {
                    blocks.add(current.toArray(String[]::new));
                }
                current = new ArrayList<>();
            } else if (current != null && line.startsWith("local/")) {
                current.add(line.strip());
            }
        }
        if (current != null) {
            blocks.add(current.toArray(String[]::new));
        }
        return blocks;
    }
}
