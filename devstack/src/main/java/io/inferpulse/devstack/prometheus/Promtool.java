package io.inferpulse.devstack.prometheus;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Prometheus's own rule engine as an oracle: runs {@code promtool test rules} on a
 * {@link RuleTestFile}, so that alert and PromQL semantics are checked against Prometheus rather
 * than against our reading of its documentation. Found on the {@code PATH} (Debian's package
 * {@code prometheus} installs it as {@code /usr/bin/promtool}).
 */
public final class Promtool {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    static final String TEST_FILE = "promtool-test.yaml";

    private final Path executable;
    private final Duration timeout;

    private Promtool(Path executable, Duration timeout) {
        this.executable = executable;
        this.timeout = timeout;
    }

    /** The outcome of one run: whether every test passed, the exit code and promtool's output. */
    public record Result(boolean passed, int exitCode, String output) {
    }

    /** promtool from the {@code PATH}, or an exception telling how to install it. */
    public static Promtool locate() {
        return locate(System.getenv("PATH"), DEFAULT_TIMEOUT);
    }

    static Promtool locate(String path, Duration timeout) {
        return find(path).map(p -> new Promtool(p, timeout)).orElseThrow(() -> new IllegalStateException(
                "promtool not found on PATH (" + path + "); install Prometheus's tools: apt-get install prometheus"));
    }

    /** Whether promtool is on the {@code PATH}. */
    public static boolean available() {
        return find(System.getenv("PATH")).isPresent();
    }

    private static Optional<Path> find(String path) {
        if (path == null || path.isBlank()) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    public Path executable() {
        return executable;
    }

    /**
     * Writes {@code test} to {@value #TEST_FILE} in {@code directory} and runs {@code promtool test
     * rules} on it there, so rule files named relative to the directory are found.
     *
     * @throws IOException if promtool cannot be started, or does not finish within the timeout (then it is killed)
     */
    public Result testRules(Path directory, RuleTestFile test) throws IOException {
        Path file = directory.resolve(TEST_FILE);
        Files.writeString(file, test.toYaml());
        return run(directory, List.of(executable.toString(), "test", "rules", file.getFileName().toString()));
    }

    /** {@code promtool check rules FILE}: whether Prometheus would load the rule file, with its complaints if not. */
    public Result checkRules(Path rules) throws IOException {
        Path absolute = rules.toAbsolutePath();
        return run(absolute.getParent(), List.of(executable.toString(), "check", "rules", absolute.toString()));
    }

    private Result run(Path directory, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        // read while it runs: a full pipe would block promtool
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout + "; killed it");
            }
            String text = output.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Result(process.exitValue() == 0, process.exitValue(), text);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + String.join(" ", command), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot read the output of " + String.join(" ", command), e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
