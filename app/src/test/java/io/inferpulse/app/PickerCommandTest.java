package io.inferpulse.app;

import static io.inferpulse.app.CommandRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code inferpulse picker}: what a user sees when the service cannot start, and its flags. */
class PickerCommandTest {
    @Test
    void shouldNameAnObjectiveWhosePriorityIsNotANumber() {
        // Nothing listens on port 1: the settings are judged before any connection is tried.
        String err = run(Main.CONFIG_ERROR, "picker", "--http-port", "0", "--bootstrap-servers", "127.0.0.1:1",
                "--objective", "premium=10", "--objective", "batch=low");

        assertThat(err).contains("objectives", "'batch=low': the priority of batch is not an integer");
    }

    @Test
    void shouldRefuseTheSamePortForExtProcAndHealth() {
        String err = run(Main.CONFIG_ERROR, "picker", "--http-port", "0", "--bootstrap-servers", "127.0.0.1:1",
                "--port", "9100", "--health-port", "9100");

        assertThat(err).contains("epp.port and epp.health-port are both 9100");
    }

    @Test
    void shouldNameABadPickerStrategy() {
        String err = run(Main.CONFIG_ERROR, "picker", "--http-port", "0", "--bootstrap-servers", "127.0.0.1:1",
                "--strategy", "round-robin");

        assertThat(err).contains("picker.strategy", "'round-robin' is not one of");
    }

    @Test
    void shouldListThePoolAndPortFlags() {
        String help = run(0, "picker", "--help");

        assertThat(help).contains("--pool-name", "--pool-namespace", "--cluster", "--port", "--health-port", "--objective",
                "--secure-serving", "9002", "9003", "9407");
    }
}
