package io.inferpulse.app;

import io.inferpulse.runtime.config.ConfigReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * docs/configuration.md: how settings are given, then a section per service with the table its
 * declarations render to. Kept here, beside the test that compares it with the file, rather than
 * as a command: the file is the only user of the whole document, and a user of the command line
 * reads one service's settings with {@code --help-config}.
 */
final class ConfigurationDoc {
    static final String NAME = "docs/configuration.md";
    /** Tests run in the module's directory. */
    static final Path FILE = Path.of("..").resolve(NAME);
    static final String WRITE_PROPERTY = "inferpulse.write-config-doc";
    static final String REWRITE = "mvn -pl app -am test -Dtest=ConfigurationDocTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -D" + WRITE_PROPERTY;

    private static final String BEFORE_TITLE = "the text before the title";
    private static final String INTRO = """
            # Configuration reference

            Every setting of every service, generated from the settings the services declare: do not edit by
            hand (see [Regenerating this file](#regenerating-this-file)). `inferpulse <command> --help-config`
            prints the same for one command, for example `inferpulse ingest --help-config`.

            ## Where settings come from

            Each setting has one key. A service takes its value from the first of these that sets it:

            1. a flag: `--set KEY=VALUE` (repeatable), or a flag that names a key, such as `--bootstrap-servers`
               (`kafka.bootstrap.servers`), `--schema-registry-url` (`schema.registry.url`) and `--http-port`
               (`http.port`); `--help` lists a command's own;
            2. its environment variable: `INFERPULSE_`, then the key in capitals with dots and dashes as
               underscores (`scrape.interval`: `INFERPULSE_SCRAPE_INTERVAL`);
            3. the YAML file of `-c FILE` (`--config FILE`), with nested or dotted keys (`scrape: {interval: 1s}`
               is `scrape.interval: 1s`; a list is a comma-separated value);
            4. its default, listed below; a *required* setting has none, and the service does not start
               without it.

            Every value is parsed at start-up: a bad value, an unknown key or a missing required setting stops
            the service with the flag, variable or file line at fault. The effective configuration is logged
            at start-up, secrets masked.

            Keys under a service's pass-through prefixes are not declared: they are accepted as they are, in
            the same order of precedence, and handed on: `kafka.` to the Kafka clients, `schema.registry.` to
            the schema-registry client (Confluent's property names), `streams.` to Kafka Streams; ingest's
            `engines.` and `accesslog.` define engines and access-log field mappings, and the scores job's
            `score.cluster-labels.` the labels of a cluster. Their environment variables turn underscores into
            dots: `INFERPULSE_KAFKA_SASL_JAAS_CONFIG` sets `kafka.sasl.jaas.config`.

            ## Regenerating this file

            `ConfigurationDocTest` (module app) fails when this file no longer matches the declarations, and
            rewrites it when run with `-D%s`:

            ```sh
            %s
            ```
            """.formatted(WRITE_PROPERTY, REWRITE);

    private ConfigurationDoc() {}

    /** The whole document, from the settings of every command that takes them. */
    static String render() {
        StringBuilder doc = new StringBuilder(INTRO);
        services().forEach((settings, commands) -> doc.append("\n## ").append(settings.service()).append("\n\n")
                .append(commands.stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "))).append("\n\n")
                .append(settings.markdown()));
        return doc.toString();
    }

    /** What is wrong with {@code actual}, naming the sections that differ from {@code expected}; empty when nothing. */
    static Optional<String> problem(String expected, String actual) {
        if (expected.equals(actual)) {
            return Optional.empty();
        }
        Map<String, String> want = sections(expected);
        Map<String, String> have = sections(actual);
        List<String> differences = new ArrayList<>();
        want.forEach((heading, text) -> {
            if (!have.containsKey(heading)) {
                differences.add(heading + ": missing");
            } else if (!have.get(heading).equals(text)) {
                differences.add(heading + ": differs");
            }
        });
        have.keySet().stream().filter(heading -> !want.containsKey(heading))
                .forEach(heading -> differences.add(heading + ": declared by no command"));
        if (differences.isEmpty()) {
            differences.add("the order of the sections");
        }
        return Optional.of(NAME + " does not match the declared settings (" + String.join("; ", differences)
                + "). Rewrite it with: " + REWRITE);
    }

    /** The settings of every command that takes them, with the commands that do, in the command line's order. */
    private static Map<ConfigReference, List<String>> services() {
        Map<ConfigReference, List<String>> services = new LinkedHashMap<>();
        CommandRun.commands().filter(c -> c.getCommand() instanceof ServiceCommand).forEach(c ->
                services.computeIfAbsent(((ServiceCommand) c.getCommand()).settings(), s -> new ArrayList<>())
                        .add(c.getCommandSpec().qualifiedName()));
        return services;
    }

    /** The text under each heading (the title, {@code ## service}), by heading. */
    private static Map<String, String> sections(String doc) {
        Map<String, String> sections = new LinkedHashMap<>();
        String heading = BEFORE_TITLE;
        StringBuilder text = new StringBuilder();
        for (String line : doc.split("\n", -1)) {
            if (line.matches("#{1,2} .*")) {
                sections.put(heading, text.toString());
                heading = line.replaceFirst("^#+ ", "");
                text.setLength(0);
            }
            text.append(line).append('\n');
        }
        sections.put(heading, text.toString());
        sections.remove(BEFORE_TITLE, "");
        return sections;
    }
}
