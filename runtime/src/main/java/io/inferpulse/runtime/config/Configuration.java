package io.inferpulse.runtime.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The effective settings of one service, resolved once at start-up from, highest first: flags,
 * environment variables ({@code INFERPULSE_<KEY>}), a YAML file, then declared defaults. Every
 * value is parsed here, so a bad one stops the service before it starts, with the file and line or
 * the flag or variable that set it. Keys under a pass-through prefix (for example {@code kafka.})
 * are handed to client libraries as they are.
 */
public final class Configuration {
    private static final String MASK = "******";

    private final Map<String, Object> values;
    private final Map<String, Resolved> resolved;

    /** Where one value came from. */
    public record Resolved(String key, String text, String origin, boolean secret) {
        @Override
        public String toString() {
            return key + " = " + (secret ? MASK : text) + "  (" + origin + ")";
        }
    }

    /** What the service was given; only {@code main} reads the process environment. */
    public record Sources(Map<String, String> flags, Map<String, String> env, Optional<Path> file) {
        public Sources {
            flags = Map.copyOf(flags);
            env = Map.copyOf(env);
        }

        public static Sources of(Map<String, String> flags) {
            return new Sources(flags, Map.of(), Optional.empty());
        }
    }

    private Configuration(Map<String, Object> values, Map<String, Resolved> resolved) {
        this.values = values;
        this.resolved = resolved;
    }

    /**
     * Resolves and parses every parameter, collecting all problems before failing.
     *
     * @param passThroughPrefixes prefixes such as {@code kafka.} whose keys are accepted unparsed;
     *     those whose names suggest a credential are masked in {@link #describe()}
     */
    public static Configuration load(Collection<ConfigParameter<?>> parameters, Set<String> passThroughPrefixes,
                                     Sources sources) {
        Map<String, ConfigParameter<?>> byKey = new LinkedHashMap<>();
        parameters.forEach(p -> byKey.put(p.key(), p));
        Map<String, ConfigFile.Entry> file = sources.file().map(ConfigFile::read).orElse(Map.of());
        String fileName = sources.file().map(Path::toString).orElse("");
        List<String> problems = new ArrayList<>();

        for (Map.Entry<String, ConfigFile.Entry> e : file.entrySet()) {
            if (!byKey.containsKey(e.getKey()) && !passesThrough(e.getKey(), passThroughPrefixes)) {
                problems.add(fileName + ":" + e.getValue().line() + ": " + e.getKey() + ": unknown setting"
                        + suggestion(e.getKey(), byKey.keySet()));
            }
        }
        for (String key : sources.flags().keySet()) {
            if (!byKey.containsKey(key) && !passesThrough(key, passThroughPrefixes)) {
                problems.add("flag --set " + key + ": unknown setting" + suggestion(key, byKey.keySet()));
            }
        }

        Map<String, Object> values = new HashMap<>();
        Map<String, Resolved> resolved = new TreeMap<>();
        for (ConfigParameter<?> p : byKey.values()) {
            Resolved r = resolve(p.key(), p.secret(), sources, file, fileName, p.defaultValue());
            if (r == null) {
                problems.add(p.key() + ": required, but not set (use --set " + p.key() + "=..., "
                        + p.envVar() + ", or '" + p.key() + "' in the config file)");
                continue;
            }
            try {
                values.put(p.key(), p.parser().parse(r.text()));
                resolved.put(p.key(), r);
            } catch (IllegalArgumentException ex) {
                String reason = p.secret() ? masked(String.valueOf(ex.getMessage()), r.text()) : ex.getMessage();
                problems.add(r.origin() + ": " + p.key() + ": " + reason);
            }
        }
        for (Resolved r : passThrough(passThroughPrefixes, sources, file, fileName)) {
            resolved.putIfAbsent(r.key(), r);
            values.putIfAbsent(r.key(), r.text());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Configuration(values, resolved);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigParameter<T> parameter) {
        if (!resolved.containsKey(parameter.key())) {
            throw new IllegalArgumentException("Setting " + parameter.key() + " was not declared to this configuration");
        }
        return (T) values.get(parameter.key());
    }

    /** Pass-through settings under the prefix, with the prefix removed: {@code kafka.acks} becomes {@code acks}. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        resolved.forEach((k, r) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), r.text());
            }
        });
        return out;
    }

    /** The effective configuration, one line per key with its origin, secrets masked: logged at start-up. */
    public List<String> describe() {
        return resolved.values().stream().map(Resolved::toString).toList();
    }

    private static Resolved resolve(String key, boolean secret, Sources sources, Map<String, ConfigFile.Entry> file,
                                    String fileName, Optional<String> defaultValue) {
        if (sources.flags().containsKey(key)) {
            return new Resolved(key, sources.flags().get(key), "flag --set " + key, secret);
        }
        String env = ConfigParameter.envVarOf(key);
        if (sources.env().containsKey(env)) {
            return new Resolved(key, sources.env().get(env), "environment variable " + env, secret);
        }
        if (file.containsKey(key)) {
            ConfigFile.Entry e = file.get(key);
            return new Resolved(key, e.value(), fileName + ":" + e.line(), secret);
        }
        return defaultValue.map(d -> new Resolved(key, d, "default", secret)).orElse(null);
    }

    private static List<Resolved> passThrough(Set<String> prefixes, Sources sources, Map<String, ConfigFile.Entry> file,
                                              String fileName) {
        Map<String, Resolved> out = new TreeMap<>();
        file.forEach((k, e) -> {
            if (passesThrough(k, prefixes)) {
                out.put(k, new Resolved(k, e.value(), fileName + ":" + e.line(), looksSecret(k)));
            }
        });
        sources.env().forEach((name, value) -> {
            for (String prefix : prefixes) {
                String envPrefix = ConfigParameter.envVarOf(prefix);
                if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
                    // INFERPULSE_KAFKA_SASL_JAAS_CONFIG -> kafka.sasl.jaas.config, as Kafka's images map env vars
                    String key = prefix + name.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                    out.put(key, new Resolved(key, value, "environment variable " + name, looksSecret(key)));
                }
            }
        });
        sources.flags().forEach((k, v) -> {
            if (passesThrough(k, prefixes)) {
                out.put(k, new Resolved(k, v, "flag --set " + k, looksSecret(k)));
            }
        });
        return List.copyOf(out.values());
    }

    /**
     * Parsers quote the text they were given, or its stripped form (a secret read from a mounted
     * file usually ends with a newline), so both are masked.
     */
    private static String masked(String message, String secret) {
        String out = message;
        for (String s : List.of(secret, secret.strip())) {
            if (!s.isEmpty()) {
                out = out.replace(s, MASK);
            }
        }
        return out;
    }

    private static boolean passesThrough(String key, Set<String> prefixes) {
        return prefixes.stream().anyMatch(p -> key.startsWith(p) && key.length() > p.length());
    }

    private static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("jaas") || k.contains("token")
                || k.contains("user.info") || k.endsWith(".key");
    }

    private static String suggestion(String key, Set<String> known) {
        return Spelling.closest(key, known).map(k -> " (did you mean " + k + "?)").orElse("");
    }
}
