package io.inferpulse.runtime.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One setting, declared once: its key (also the file key), the environment variable and flag that
 * set it, how its text is parsed, its default and whether its value must be masked in logs.
 *
 * @param key dotted key as written in a config file, e.g. {@code scrape.interval}
 * @param doc one line shown by {@code --help-config} and in the start-up log
 * @param parser turns text into the typed value, throwing IllegalArgumentException with a reason
 * @param defaultValue the text used when nothing sets the key; empty when the key is required
 * @param secret mask the value wherever it is printed
 */
public record ConfigParameter<T>(String key, String doc, ConfigParser<T> parser, Optional<String> defaultValue, boolean secret) {
    public static final String ENV_PREFIX = "INFERPULSE_";

    public ConfigParameter {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(defaultValue, "defaultValue");
    }

    public static <T> ConfigParameter<T> of(String key, ConfigParser<T> parser, String defaultValue, String doc) {
        return new ConfigParameter<>(key, doc, parser, Optional.of(defaultValue), false);
    }

    public static <T> ConfigParameter<T> required(String key, ConfigParser<T> parser, String doc) {
        return new ConfigParameter<>(key, doc, parser, Optional.empty(), false);
    }

    /** A setting whose value never appears in logs or error messages. */
    public ConfigParameter<T> asSecret() {
        return new ConfigParameter<>(key, doc, parser, defaultValue, true);
    }

    /** {@code scrape.interval} is set by {@code INFERPULSE_SCRAPE_INTERVAL}. */
    public String envVar() {
        return envVarOf(key);
    }

    static String envVarOf(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
