package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import picocli.CommandLine;

/** The {@code inferpulse} command line run as a user runs it, in process. */
final class CommandRun {
    private CommandRun() {}

    /** Runs {@code args}, checks the exit status and returns what was printed: standard error, then standard output. */
    static String run(int expectedExit, String... args) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute(args)).as(err.toString()).isEqualTo(expectedExit);
        return err.toString() + out;
    }

    /** Every command of the command line, subcommands after their parent. */
    static Stream<CommandLine> commands() {
        return commands(Main.commandLine());
    }

    private static Stream<CommandLine> commands(CommandLine command) {
        return Stream.concat(Stream.of(command), command.getSubcommands().values().stream().distinct()
                .flatMap(CommandRun::commands));
    }
}
