package io.inferpulse.runtime.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A YAML configuration file flattened to dotted keys, remembering the line of every value so that
 * an error can point at it. Nested maps and dotted keys are equivalent:
 * {@code scrape: {interval: 1s}} is {@code scrape.interval: 1s}. A list of scalars becomes a
 * comma-separated value.
 */
final class ConfigFile {
    record Entry(String value, int line) {}

    private ConfigFile() {}

    static Map<String, Entry> read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": config file not found");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + e.getMessage());
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        try (JsonParser parser = new YAMLFactory().createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return entries;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new ConfigException(file + ":" + line(parser) + ": expected a mapping of settings at the top level");
            }
            readObject(file, parser, new ArrayDeque<>(), entries);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ConfigException(file + ":" + (at == null ? "?" : at.getLineNr()) + ": not valid YAML: "
                    + withoutQuotedSource(e.getOriginalMessage())
                    + (at == null || at.getColumnNr() < 1 ? "" : " (column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + e.getMessage());
        }
        return entries;
    }

    private static void readObject(Path file, JsonParser parser, Deque<String> path, Map<String, Entry> into) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            path.addLast(parser.currentName());
            JsonToken value = parser.nextToken();
            String key = String.join(".", path);
            switch (value) {
                case START_OBJECT -> readObject(file, parser, path, into);
                case START_ARRAY -> into.put(key, readList(file, parser, key));
                case VALUE_NULL -> into.put(key, new Entry("", line(parser)));
                default -> into.put(key, new Entry(parser.getText(), line(parser)));
            }
            path.removeLast();
        }
    }

    private static Entry readList(Path file, JsonParser parser, String key) throws IOException {
        int line = line(parser);
        List<String> items = new ArrayList<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                throw new ConfigException(file + ":" + line(parser) + ": " + key + ": expected a list of plain values");
            }
            items.add(parser.getText());
        }
        return new Entry(String.join(",", items), line);
    }

    /**
     * SnakeYAML's messages quote the offending source line under an indented "in 'reader', line N"
     * mark; that line may hold a password, so only the unindented problem descriptions are kept.
     */
    static String withoutQuotedSource(String message) {
        if (message == null) {
            return "syntax error";
        }
        String kept = message.lines()
                .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .map(String::strip)
                .collect(Collectors.joining("; "));
        return kept.isEmpty() ? "syntax error" : kept;
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }
}
