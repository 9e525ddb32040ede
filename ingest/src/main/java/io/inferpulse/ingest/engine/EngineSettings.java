package io.inferpulse.ingest.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads user-defined engines from flat settings; the key syntax is documented on {@link Engines}.
 * Collects every problem before failing, as the rest of the configuration does, so a user fixes
 * a file in one round rather than one error per start.
 */
final class EngineSettings {

    static final String PREFIX = "engines.";

    private static final Set<String> VALUE_PROPERTIES =
            orderedSet("metric", "labels", "aggregation", "scale", "replica-labels");
    private static final Set<String> CACHE_CONFIG_PROPERTIES = orderedSet("metric");
    private static final Set<String> LORA_PROPERTIES =
            orderedSet("metric", "max-label", "running-label", "waiting-label");
    private static final Map<String, Set<String>> FIELDS = fields();

    private final List<String> problems = new ArrayList<>();

    private EngineSettings() {
    }

    /**
     * @param withoutPrefix keys with {@value #PREFIX} removed, e.g. {@code myengine.waiting.metric}
     * @throws EngineSettingsException listing every problem, each naming its key
     */
    static List<EngineSpec> parse(Map<String, String> withoutPrefix) {
        return new EngineSettings().read(withoutPrefix);
    }

    private List<EngineSpec> read(Map<String, String> withoutPrefix) {
        // Sorted, so that problems come out in a stable order whatever map the caller passed.
        Map<String, EngineEntries> engines = new TreeMap<>();
        for (Map.Entry<String, String> setting : new TreeMap<>(withoutPrefix).entrySet()) {
            String key = PREFIX + setting.getKey();
            String[] parts = setting.getKey().split("\\.", -1);
            if (parts.length != 3) {
                problem(key, "expected " + PREFIX + "<engine>.<field>.<property>, e.g. " + PREFIX
                        + "myengine.waiting.metric");
                continue;
            }
            String name = parts[0].strip().toLowerCase(Locale.ROOT);
            try {
                Names.requireEngine(name);
            } catch (IllegalArgumentException e) {
                problem(key, e.getMessage());
                continue;
            }
            Set<String> properties = FIELDS.get(parts[1]);
            if (properties == null) {
                problem(key, "unknown field '" + parts[1] + "' (known: " + String.join(", ", FIELDS.keySet()) + ")");
                continue;
            }
            if (!properties.contains(parts[2])) {
                problem(key, "unknown property '" + parts[2] + "' of " + parts[1] + " (known: "
                        + String.join(", ", properties) + ")");
                continue;
            }
            EngineEntries entries = engines.computeIfAbsent(name, n -> new EngineEntries(PREFIX + parts[0] + "."));
            Map<String, Setting> field = entries.fields.computeIfAbsent(parts[1], f -> new LinkedHashMap<>());
            String value = setting.getValue() == null ? "" : setting.getValue().strip();
            Setting previous = field.put(parts[2], new Setting(key, value));
            if (previous != null) {
                // Only possible when two keys differ in the case of the engine name.
                problem(key, "set twice, also as " + previous.key());
            }
        }

        List<EngineSpec> specs = new ArrayList<>();
        for (Map.Entry<String, EngineEntries> engine : engines.entrySet()) {
            EngineEntries entries = engine.getValue();
            FieldSpec waiting = valueField(entries, "waiting", Aggregation.SUM);
            FieldSpec running = valueField(entries, "running", Aggregation.SUM);
            FieldSpec kv = valueField(entries, "kv", Aggregation.MAX);
            Optional<String> cacheConfig = cacheConfig(entries);
            Optional<LoraSpec> lora = lora(entries);
            if (waiting != null && running != null && kv != null && cacheConfig != null && lora != null) {
                try {
                    specs.add(new EngineSpec(engine.getKey(), waiting, running, kv, cacheConfig, lora));
                } catch (IllegalArgumentException e) {
                    problem(entries.keyPrefix + "*", e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            // Each problem starts with its key, so this lists them in the order of the keys.
            Collections.sort(problems);
            throw new EngineSettingsException(problems);
        }
        return specs;
    }

    /** The field, or null after recording why it cannot be built. */
    private FieldSpec valueField(EngineEntries entries, String fieldName, Aggregation defaultAggregation) {
        Map<String, Setting> field = entries.fields.getOrDefault(fieldName, Map.of());
        String metric = metric(entries, fieldName, field);
        Map<String, String> labels = Map.of();
        Aggregation aggregation = defaultAggregation;
        double scale = 1.0;
        Set<String> replicaLabels = Set.of();
        boolean ok = metric != null;

        Setting setting = field.get("labels");
        if (setting != null) {
            labels = labelFilter(setting);
            ok &= labels != null;
        }
        setting = field.get("aggregation");
        if (setting != null) {
            aggregation = switch (setting.value().toLowerCase(Locale.ROOT)) {
                case "sum" -> Aggregation.SUM;
                case "max" -> Aggregation.MAX;
                default -> {
                    problem(setting.key(), "'" + setting.value() + "' is not an aggregation (known: sum, max)");
                    yield null;
                }
            };
            ok &= aggregation != null;
        }
        setting = field.get("scale");
        if (setting != null) {
            scale = scale(setting);
            ok &= !Double.isNaN(scale);
        }
        setting = field.get("replica-labels");
        if (setting != null) {
            replicaLabels = labelNames(setting);
            ok &= replicaLabels != null;
        }
        if (!ok) {
            return null;
        }
        try {
            return new FieldSpec(metric, labels, aggregation, scale, replicaLabels);
        } catch (IllegalArgumentException e) {
            problem(entries.keyPrefix + fieldName + ".*", e.getMessage());
            return null;
        }
    }

    /** Empty when not configured, null after recording a problem. */
    private Optional<String> cacheConfig(EngineEntries entries) {
        Map<String, Setting> field = entries.fields.get("cache-config");
        if (field == null) {
            return Optional.empty();
        }
        String metric = metric(entries, "cache-config", field);
        return metric == null ? null : Optional.of(metric);
    }

    /** Empty when not configured, null after recording a problem. */
    private Optional<LoraSpec> lora(EngineEntries entries) {
        Map<String, Setting> field = entries.fields.get("lora");
        if (field == null) {
            return Optional.empty();
        }
        String metric = metric(entries, "lora", field);
        String max = labelName(field.get("max-label"), LoraSpec.VLLM.maxLoraLabel());
        String running = labelName(field.get("running-label"), LoraSpec.VLLM.runningAdaptersLabel());
        String waiting = labelName(field.get("waiting-label"), LoraSpec.VLLM.waitingAdaptersLabel());
        if (metric == null || max == null || running == null || waiting == null) {
            return null;
        }
        return Optional.of(new LoraSpec(metric, max, running, waiting));
    }

    /** The field's metric, required for every field that is configured at all; null after recording a problem. */
    private String metric(EngineEntries entries, String fieldName, Map<String, Setting> field) {
        Setting setting = field.get("metric");
        if (setting == null) {
            problem(entries.keyPrefix + fieldName + ".metric", "required, but not set"
                    + (field.isEmpty() ? "" : " (the other " + entries.keyPrefix + fieldName + ".* settings need it)"));
            return null;
        }
        if (setting.value().isEmpty()) {
            problem(setting.key(), "must not be empty");
            return null;
        }
        try {
            return Names.requireMetric(setting.value(), "metric");
        } catch (IllegalArgumentException e) {
            problem(setting.key(), e.getMessage());
            return null;
        }
    }

    /** {@code name=value,name=value}; values may be quoted as in PromQL. Null after recording a problem. */
    private Map<String, String> labelFilter(Setting setting) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : setting.value().split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 0) {
                problem(setting.key(), "'" + pair.strip() + "' is not name=value");
                return null;
            }
            String name = pair.substring(0, eq).strip();
            String value = pair.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            try {
                Names.requireLabel(name, "label");
            } catch (IllegalArgumentException e) {
                problem(setting.key(), e.getMessage());
                return null;
            }
            if (labels.put(name, value) != null) {
                problem(setting.key(), "label '" + name + "' appears twice");
                return null;
            }
        }
        return labels;
    }

    /** Comma-separated label names. Null after recording a problem. */
    private Set<String> labelNames(Setting setting) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : setting.value().split(",")) {
            if (name.isBlank()) {
                continue;
            }
            try {
                names.add(Names.requireLabel(name.strip(), "label"));
            } catch (IllegalArgumentException e) {
                problem(setting.key(), e.getMessage());
                return null;
            }
        }
        return names;
    }

    /** The configured label name, the default when unset, null after recording a problem. */
    private String labelName(Setting setting, String defaultName) {
        if (setting == null) {
            return defaultName;
        }
        try {
            return Names.requireLabel(setting.value(), "label");
        } catch (IllegalArgumentException e) {
            problem(setting.key(), e.getMessage());
            return null;
        }
    }

    /** The scale, or NaN after recording a problem. */
    private double scale(Setting setting) {
        double scale;
        try {
            scale = Double.parseDouble(setting.value());
        } catch (NumberFormatException e) {
            problem(setting.key(), "'" + setting.value() + "' is not a number");
            return Double.NaN;
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            problem(setting.key(), "must be a finite number > 0 (e.g. 0.01 for percent), got " + setting.value());
            return Double.NaN;
        }
        return scale;
    }

    private void problem(String key, String reason) {
        problems.add(key + ": " + reason);
    }

    private static Map<String, Set<String>> fields() {
        Map<String, Set<String>> fields = new LinkedHashMap<>();
        fields.put("waiting", VALUE_PROPERTIES);
        fields.put("running", VALUE_PROPERTIES);
        fields.put("kv", VALUE_PROPERTIES);
        fields.put("cache-config", CACHE_CONFIG_PROPERTIES);
        fields.put("lora", LORA_PROPERTIES);
        return Collections.unmodifiableMap(fields);
    }

    private static Set<String> orderedSet(String... values) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(List.of(values)));
    }

    private record Setting(String key, String value) {
    }

    /** One engine's settings by field and property, and the key prefix as the user spelled it. */
    private static final class EngineEntries {
        final String keyPrefix;
        final Map<String, Map<String, Setting>> fields = new LinkedHashMap<>();

        EngineEntries(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }
    }
}
