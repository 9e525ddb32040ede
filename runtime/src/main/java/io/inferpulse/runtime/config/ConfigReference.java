package io.inferpulse.runtime.config;

import java.io.File;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What one service can be configured with, as it declares it: its settings and the key prefixes it
 * passes through unchecked. Rendered as text for {@code --help-config} and as Markdown for
 * docs/configuration.md, so the two cannot say different things.
 *
 * @param service the name a user knows the service by, e.g. {@code ingest}
 * @param parameters every declared setting, in the order the service lists them
 * @param passThroughPrefixes prefixes, such as {@code kafka.}, whose keys are accepted as they are
 */
public record ConfigReference(String service, List<ConfigParameter<?>> parameters, Set<String> passThroughPrefixes) {
    private static final String TMPDIR_PROPERTY = "java.io.tmpdir";

    public ConfigReference {
        parameters = List.copyOf(parameters);
        passThroughPrefixes = Set.copyOf(passThroughPrefixes);
    }

    /** The settings as aligned columns, each description on the line below its key. */
    public String text() {
        List<String> prefixes = sorted(passThroughPrefixes);
        int keyWidth = width("KEY", parameters.stream().map(ConfigParameter::key), prefixes.stream().map(p -> p + "*"));
        int envWidth = width("ENVIRONMENT VARIABLE", parameters.stream().map(ConfigParameter::envVar),
                prefixes.stream().map(p -> ConfigParameter.envVarOf(p) + "*"));
        String row = "%-" + keyWidth + "s  %-" + envWidth + "s  %s";
        StringBuilder out = new StringBuilder();
        out.append("Settings of ").append(service).append(", each taken from the first of: --set KEY=VALUE (or a flag")
                .append(" naming the key), its environment variable, the -c FILE, its default.\n\n");
        out.append(row.formatted("KEY", "ENVIRONMENT VARIABLE", "DEFAULT").stripTrailing()).append('\n');
        for (ConfigParameter<?> p : parameters) {
            out.append(row.formatted(p.key(), p.envVar(), defaultText(p, "(%s)", p.defaultValue().orElse(""))).stripTrailing())
                    .append("\n    ").append(p.doc()).append('\n');
        }
        if (!prefixes.isEmpty()) {
            out.append("\nAlso accepted, and passed on as they are: any key under these prefixes.\n");
            prefixes.forEach(p -> out.append(row.formatted(p + "*", ConfigParameter.envVarOf(p) + "*", "").stripTrailing())
                    .append('\n'));
        }
        return out.toString();
    }

    /** The settings as a Markdown table, then the pass-through prefixes. */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| key | environment variable | default | description |\n|---|---|---|---|\n");
        for (ConfigParameter<?> p : parameters) {
            out.append("| `").append(p.key()).append("` | `").append(p.envVar()).append("` | ")
                    .append(defaultText(p, "*%s*", "`" + pipesEscaped(portable(p.defaultValue().orElse(""))) + "`")).append(" | ")
                    .append(cell(p.doc())).append(" |\n");
        }
        if (!passThroughPrefixes.isEmpty()) {
            out.append("\nAlso accepted, and passed on as they are: any key under ")
                    .append(sorted(passThroughPrefixes).stream()
                            .map(p -> "`" + p + "` (`" + ConfigParameter.envVarOf(p) + "*`)")
                            .collect(Collectors.joining(", ")))
                    .append(".\n");
        }
        return out.toString();
    }

    /** The default as {@code shown}, or which of required, hidden or empty it is, in {@code note}'s format. */
    private static String defaultText(ConfigParameter<?> p, String note, String shown) {
        if (p.defaultValue().isEmpty()) {
            return note.formatted("required");
        }
        if (p.secret()) {
            return note.formatted("hidden");
        }
        return p.defaultValue().get().isEmpty() ? note.formatted("empty") : shown;
    }

    /**
     * A default under the temporary directory is written with the property it comes from: the file
     * is shared by every machine, and each has its own temporary directory.
     */
    private static String portable(String value) {
        String tmp = System.getProperty(TMPDIR_PROPERTY).replaceAll("[/\\\\]+$", "");
        if (tmp.isEmpty() || !value.startsWith(tmp)) {
            return value;
        }
        String rest = value.substring(tmp.length());
        if (!rest.isEmpty() && rest.charAt(0) != '/' && rest.charAt(0) != File.separatorChar) {
            return value;
        }
        return "${" + TMPDIR_PROPERTY + "}/" + rest.replaceFirst("^[/\\\\]+", "");
    }

    /** An angle bracket would open an HTML tag. */
    private static String cell(String text) {
        return pipesEscaped(text).replace("<", "\\<");
    }

    /** A pipe ends a table cell, even inside a code span. */
    private static String pipesEscaped(String text) {
        return text.replace("|", "\\|");
    }

    private static int width(String heading, Stream<String> settings, Stream<String> prefixes) {
        return Stream.concat(Stream.of(heading), Stream.concat(settings, prefixes)).mapToInt(String::length).max().orElseThrow();
    }

    private static List<String> sorted(Set<String> prefixes) {
        return prefixes.stream().sorted().toList();
    }
}
