package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a newcomer sees: {@code inferpulse demo} printing pool averages that follow the simulated load. */
class DemoIT {
    // POOL READY KV-CACHE QUEUE(avg) RUNNING(avg) QUEUE(sum) LOAD(req/s) AGE
    private static final Pattern POOL_LINE = Pattern.compile(
            "^(local/default/pool-\\d)\\s+(\\d+)\\s+([\\d.]+) %\\s+([\\d.]+)\\s+([\\d.]+)\\s+(\\d+)\\s+([\\d.]+)\\s+([\\d.]+)s$");

    @Test
    void shouldPrintPoolAveragesThatChangeWithTheSimulatedLoad(@TempDir Path dir) {
        // given the demo's output captured
        StringWriter output = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(output, true));

        // when it runs for a while on its own
        int exit = cli.execute("demo", "--pools", "2", "--pods", "3", "--duration", "20s", "--http-port", "0",
                "--data-dir", dir.toString());

        // then it stopped cleanly and said where everything is
        assertThat(exit).isZero();
        String text = output.toString();
        assertThat(text).contains("inferpulse demo is running.", "Kafka ", "Schema registry  http://127.0.0.1:",
                "/metrics", "inferpulse.pod-metrics -> inferpulse.pool-stats", "access log -> inferpulse.access-logs");

        // and every refresh after the first few shows both pools with all their pods ready
        List<String[]> blocks = blocks(text);
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(6);
        int firstWithData = 0;
        while (firstWithData < blocks.size() && blocks.get(firstWithData).length == 0) {
            firstWithData++;
        }
        assertThat(firstWithData).as("refreshes (2 s apart) before the first pool stats").isLessThanOrEqualTo(3);
        List<String> pool0 = new ArrayList<>();
        for (String[] block : blocks.subList(firstWithData, blocks.size())) {
            assertThat(block).hasSize(2);
            for (String line : block) {
                Matcher m = POOL_LINE.matcher(line);
                assertThat(m.matches()).as(line).isTrue();
                assertThat(m.group(2)).as("ready pods in " + line).isEqualTo("3");
                assertThat(Double.parseDouble(m.group(8))).as("age of " + line).isLessThan(3.0);
                if (m.group(1).endsWith("pool-0")) {
                    pool0.add(m.group(3) + " " + m.group(5));
                }
            }
        }
        // and the averages move as the simulated load moves
        assertThat(pool0.stream().distinct().count()).as("distinct (kv, running) of pool-0: " + pool0).isGreaterThan(2);
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
