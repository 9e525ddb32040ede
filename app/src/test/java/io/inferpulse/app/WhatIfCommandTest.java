package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code inferpulse autoscaler what-if}: the replica counts a user reads off the replay. */
class WhatIfCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldPrintWhatHpaDoesAtEachSync(@TempDir Path dir) throws Exception {
        // given a queue that spikes and falls back, against a Value target of 10 per ready pod
        Path series = Files.writeString(dir.resolve("queue.csv"), """
                time_seconds,value
                0,20
                15,40
                45,5
                """);

        // when replayed from 2 replicas, at most 10, without behavior
        int exit = run("autoscaler", "what-if", "--target", "10", "--max", "10", "--initial-replicas", "2",
                series.toString());

        // then it doubles, is held by the scale-up limit, reaches max, and the drop is stabilized
        assertThat(exit).isZero();
        assertThat(out.toString()).isEqualTo("""
                time                           metric  desired replicas  reason
                0                                  20        4        4  SucceededRescale
                15                                 40       16        8  ScaleUpLimit
                30                                 40       32       10  TooManyReplicas
                45                                  5        5       10  TooManyReplicas
                """);
    }

    @Test
    void shouldScaleDownAsTheBehaviorAllows(@TempDir Path dir) throws Exception {
        Path series = Files.writeString(dir.resolve("queue.csv"), """
                2025-01-01T00:00:00Z,10
                2025-01-01T00:00:15Z,1
                """);
        Path behavior = Files.writeString(dir.resolve("behavior.yaml"), """
                scaleDown:
                  stabilizationWindowSeconds: 0
                  policies:
                  - type: Pods
                    value: 2
                    periodSeconds: 15
                """);

        int exit = run("autoscaler", "what-if", "--metric-type", "average-value", "--target", "1", "--max", "10",
                "--initial-replicas", "10", "--behavior", behavior.toString(), "--sync-period", "15s", series.toString());

        assertThat(exit).isZero();
        assertThat(out.toString().lines().skip(1).toList()).containsExactly(
                "2025-01-01T00:00:00Z               10       10       10  ReadyForNewScale",
                "2025-01-01T00:00:15Z                1        1        8  ScaleDownLimit");
    }

    @Test
    void shouldNameFileAndLineOfABadValue(@TempDir Path dir) throws Exception {
        Path series = Files.writeString(dir.resolve("queue.csv"), "0,20\n\n15,lots\n");

        int exit = run("autoscaler", "what-if", "--target", "10", "--max", "10", series.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEqualTo("what-if: " + series + ":3: value \"lots\" is not a non-negative number\n");
    }

    @Test
    void shouldRefuseTimesThatGoBackwards(@TempDir Path dir) throws Exception {
        Path series = Files.writeString(dir.resolve("queue.csv"), "30,20\n15,20\n");

        int exit = run("autoscaler", "what-if", "--target", "10", "--max", "10", series.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("what-if: " + series + ":2: time 15 is not after the previous line's\n");
    }

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
