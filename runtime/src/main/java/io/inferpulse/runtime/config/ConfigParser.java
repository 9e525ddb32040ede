package io.inferpulse.runtime.config;

/** Parses a setting's text; throws IllegalArgumentException whose message says what was expected. */
@FunctionalInterface
public interface ConfigParser<T> {
    T parse(String text);
}
