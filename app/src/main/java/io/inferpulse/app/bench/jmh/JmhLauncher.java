package io.inferpulse.app.bench.jmh;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs the JMH benchmarks of this package through {@link org.openjdk.jmh.Main}, for
 * {@code inferpulse bench jmh [REGEX] [-- JMH-ARGS]}.
 *
 * <p>Adds short defaults sized for a 2-core machine ({@value #DEFAULTS_TEXT}), each only when the
 * arguments do not set that option, so any JMH option overrides them. Also makes the forked
 * benchmark JVMs find their classes when the host was started with {@code java -jar
 * inferpulse.jar}: JMH forks with {@code -cp <java.class.path>}, which is then the thin jar
 * alone, whose manifest {@code Class-Path} names its libraries relative to the jar. The class path
 * is expanded here to the jar plus the absolute path of every library, so a fork does not depend
 * on the manifest or on its working directory.
 */
public final class JmhLauncher {

    /** The defaults, as documented in the command's help. */
    public static final String DEFAULTS_TEXT = "-f 1 -wi 3 -w 2s -i 5 -r 2s";

    /** The forks log at WARN, like the host: the simulator's INFO lines would break JMH's output. */
    private static final String FORK_LOG_LEVEL = "-Dinferpulse.log.level=WARN";

    private JmhLauncher() {}

    /** Runs JMH with {@code args} (include regexes and JMH options, in any order) and the defaults. */
    public static int run(List<String> args) throws IOException {
        String[] given = args.toArray(String[]::new);
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(given);
        } catch (CommandLineOptionException e) {
            System.err.println("Bad JMH arguments: " + e.getMessage() + " (bench jmh -- -h lists JMH's options)");
            return 2;
        }
        if (options.shouldHelp() || options.shouldList() || options.shouldListWithParams()
                || options.shouldListProfilers() || options.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(given);
            return 0;
        }
        List<String> argv = new ArrayList<>();
        if (!options.getForkCount().hasValue()) {
            argv.addAll(List.of("-f", "1"));
        }
        if (!options.getWarmupIterations().hasValue()) {
            argv.addAll(List.of("-wi", "3"));
        }
        if (!options.getWarmupTime().hasValue()) {
            argv.addAll(List.of("-w", "2s"));
        }
        if (!options.getMeasurementIterations().hasValue()) {
            argv.addAll(List.of("-i", "5"));
        }
        if (!options.getMeasurementTime().hasValue()) {
            argv.addAll(List.of("-r", "2s"));
        }
        if (!options.getJvmArgsAppend().hasValue()) {
            argv.addAll(List.of("-jvmArgsAppend", FORK_LOG_LEVEL));
        }
        argv.addAll(args);
        if (options.getIncludes().isEmpty()) {
            // Only this package's benchmarks are in the jar's list, but say so explicitly.
            argv.add(JmhLauncher.class.getPackageName() + "\\.");
        }
        expandClassPath();
        // Returns after a successful run; on a failed run JMH prints why and exits with status 1.
        org.openjdk.jmh.Main.main(argv.toArray(String[]::new));
        return 0;
    }

    /**
     * When the class path is one jar with a manifest {@code Class-Path} (started with {@code java
     * -jar}), replaces it with that jar and the absolute path of every entry of its manifest
     * {@code Class-Path}, which JMH then hands to its forks with {@code -cp}.
     */
    static void expandClassPath() throws IOException {
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.isEmpty() || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
            return;
        }
        Path jar = Path.of(classPath).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            return;
        }
        String manifestClassPath;
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            manifestClassPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        }
        if (manifestClassPath == null || manifestClassPath.isBlank()) {
            return;
        }
        Set<String> entries = new LinkedHashSet<>();
        entries.add(jar.toString());
        URI base = jar.getParent().toUri();
        for (String entry : manifestClassPath.trim().split("\\s+")) {
            try {
                // Manifest entries are URLs relative to the jar (a space is written %20).
                entries.add(Path.of(base.resolve(entry)).toString());
            } catch (IllegalArgumentException e) {
                entries.add(jar.getParent().resolve(entry).toString());
            }
        }
        System.setProperty("java.class.path", String.join(File.pathSeparator, entries));
    }
}
