package io.inferpulse.ingest.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The engines ingest can read: the built-in ones and those a user adds by configuration. Immutable
 * and thread-safe; mappings are looked up per scrape.
 *
 * <h2>Built-in engines</h2>
 * <table>
 * <caption>What each built-in engine reads</caption>
 * <tr><th>name</th><th>waiting</th><th>running</th><th>KV-cache use</th><th>extra</th></tr>
 * <tr><td>{@code vllm}</td><td>{@code vllm:num_requests_waiting}</td><td>{@code vllm:num_requests_running}</td>
 *     <td>{@code vllm:kv_cache_usage_perc}, else {@code vllm:gpu_cache_usage_perc}</td>
 *     <td>{@code vllm:lora_requests_info}, {@code vllm:cache_config_info}</td></tr>
 * <tr><td>{@code sglang}</td><td>{@code sglang:num_queue_reqs}</td><td>{@code sglang:num_running_reqs}</td>
 *     <td>{@code sglang:token_usage}</td><td>{@code sglang:cache_config_info}</td></tr>
 * <tr><td>{@code trtllm} (alias {@code trtllm-serve})</td><td>{@code trtllm_num_requests_waiting}</td>
 *     <td>{@code trtllm_num_requests_running}</td><td>{@code trtllm_kv_cache_utilization}</td><td></td></tr>
 * <tr><td>{@code triton} (alias {@code triton-tensorrt-llm})</td>
 *     <td>{@code nv_trt_llm_request_metrics{request_type="waiting"}}</td>
 *     <td>{@code nv_trt_llm_request_metrics{request_type="scheduled"}}</td>
 *     <td>{@code nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="fraction"}}</td><td></td></tr>
 * </table>
 * The aliases are the names the Gateway API Inference Extension's endpoint picker gives these
 * engines, so pods labelled for it need no relabelling. Request counts add up over series (model
 * names, data-parallel ranks); KV-cache use takes the fullest series. SGLang repeats its scheduler
 * gauges once per tensor-parallel rank, so for SGLang series that differ only in {@code tp_rank},
 * {@code pp_rank} or {@code moe_ep_rank} count once.
 *
 * <h2>Adding an engine by configuration</h2>
 * Keys have the form {@code engines.<engine>.<field>.<property>}; engine names are case-insensitive
 * and may contain a-z, 0-9, '-' and '_'. Fields and their properties:
 * <ul>
 * <li>{@code waiting}, {@code running}, {@code kv} (all three required):
 *   <ul>
 *   <li>{@code metric}: the series name (required);</li>
 *   <li>{@code labels}: {@code name=value,...} a series must carry, e.g. {@code kind=waiting,shard=0}
 *       (values may be quoted as in PromQL; an empty value matches a series without the label);</li>
 *   <li>{@code aggregation}: {@code sum} or {@code max} over the matching series; default {@code sum}
 *       for waiting and running, {@code max} for kv;</li>
 *   <li>{@code scale}: a finite factor &gt; 0 applied to the result, e.g. {@code 0.01} when the engine
 *       reports percent (kv must end up within 0..1); default 1;</li>
 *   <li>{@code replica-labels}: comma-separated labels whose series are copies of one value
 *       (merged by their maximum before the aggregation).</li>
 *   </ul></li>
 * <li>{@code cache-config.metric}: an info gauge whose labels are recorded as the cache configuration.</li>
 * <li>{@code lora.metric}, and optionally {@code lora.max-label}, {@code lora.running-label},
 *     {@code lora.waiting-label} (default to vLLM's {@code max_lora}, {@code running_lora_adapters},
 *     {@code waiting_lora_adapters}): an info gauge in the style of {@code vllm:lora_requests_info}.</li>
 * </ul>
 * Example, an engine whose pods carry {@code inference.networking.k8s.io/engine-type: myengine}:
 * <pre>
 * engines.myengine.waiting.metric=foo_queue
 * engines.myengine.waiting.labels=kind=waiting,shard=0
 * engines.myengine.waiting.aggregation=sum
 * engines.myengine.running.metric=foo_queue
 * engines.myengine.running.labels=kind=running
 * engines.myengine.kv.metric=foo_kv_cache_used_percent
 * engines.myengine.kv.scale=0.01
 * engines.myengine.cache-config.metric=foo_cache_info
 * </pre>
 * An engine configured under a built-in name replaces the built-in one entirely (for {@code vllm}
 * that drops the {@code gpu_cache_usage_perc} fallback). A mistake (unknown field or property, a
 * missing metric, a bad aggregation or scale) fails with an {@link EngineSettingsException} whose
 * problems each name the exact key.
 */
public final class Engines {

    /** The pod label that names a pod's engine, as the Gateway API Inference Extension reads it. */
    public static final String ENGINE_LABEL = "inference.networking.k8s.io/engine-type";
    /** The engine of a pod without the label or a configured override, as in the EPP. */
    public static final String DEFAULT_ENGINE = "vllm";
    /** The prefix of engine settings keys. */
    public static final String SETTINGS_PREFIX = EngineSettings.PREFIX;

    /** SGLang 0.4 and later, labels {@code model_name, engine_type, tp_rank, pp_rank[, dp_rank]}. */
    static final EngineSpec SGLANG = new EngineSpec("sglang",
            sglangRequests("sglang:num_queue_reqs"),
            sglangRequests("sglang:num_running_reqs"),
            FieldSpec.max("sglang:token_usage"),
            Optional.of("sglang:cache_config_info"), Optional.empty());
    /** trtllm-serve's Prometheus endpoint, labels {@code model_name, engine_type}. */
    static final EngineSpec TRTLLM = new EngineSpec("trtllm",
            FieldSpec.sum("trtllm_num_requests_waiting"),
            FieldSpec.sum("trtllm_num_requests_running"),
            FieldSpec.max("trtllm_kv_cache_utilization"),
            Optional.empty(), Optional.empty());
    /** Triton with the TensorRT-LLM backend: families shared by several gauges, told apart by a label. */
    static final EngineSpec TRITON = new EngineSpec("triton",
            new FieldSpec("nv_trt_llm_request_metrics", Map.of("request_type", "waiting"), Aggregation.SUM, 1.0),
            new FieldSpec("nv_trt_llm_request_metrics", Map.of("request_type", "scheduled"), Aggregation.SUM, 1.0),
            new FieldSpec("nv_trt_llm_kv_cache_block_metrics", Map.of("kv_cache_block_type", "fraction"),
                    Aggregation.MAX, 1.0),
            Optional.empty(), Optional.empty());

    /** The EPP's names for engines that have other names here. */
    private static final Map<String, String> ALIASES =
            Map.of("trtllm-serve", "trtllm", "triton-tensorrt-llm", "triton");

    private final Map<String, EngineMapping> byName;

    private Engines(Map<String, EngineMapping> byName) {
        this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
    }

    /** Only the built-in engines. */
    public static Engines builtIn() {
        return withSpecs(List.of());
    }

    /**
     * The built-in engines plus {@code specs}; a spec with a built-in's name replaces it.
     *
     * @throws IllegalArgumentException if two specs share a name
     */
    public static Engines withSpecs(Collection<EngineSpec> specs) {
        Map<String, EngineMapping> byName = new TreeMap<>();
        byName.put(DEFAULT_ENGINE, new VllmMapping());
        for (EngineSpec spec : List.of(SGLANG, TRTLLM, TRITON)) {
            byName.put(spec.name(), new ConfiguredEngine(spec));
        }
        Set<String> seen = new HashSet<>();
        for (EngineSpec spec : specs) {
            if (!seen.add(spec.name())) {
                throw new IllegalArgumentException("engine '" + spec.name() + "' is defined twice");
            }
            byName.put(spec.name(), new ConfiguredEngine(spec));
        }
        return new Engines(byName);
    }

    /**
     * The built-in engines plus those defined under {@value #SETTINGS_PREFIX} (see the class
     * documentation). Keys without the prefix are ignored, so a whole configuration can be passed.
     *
     * @throws EngineSettingsException listing every problem, each naming its key
     */
    public static Engines fromSettings(Map<String, String> settings) {
        Map<String, String> withoutPrefix = new TreeMap<>();
        settings.forEach((key, value) -> {
            if (key.startsWith(SETTINGS_PREFIX)) {
                withoutPrefix.put(key.substring(SETTINGS_PREFIX.length()), value);
            }
        });
        return fromSettingsWithoutPrefix(withoutPrefix);
    }

    /**
     * Like {@link #fromSettings}, for keys with {@value #SETTINGS_PREFIX} already removed, as
     * {@code Configuration.withPrefix("engines.")} returns them. Problems still name the full key.
     *
     * @throws EngineSettingsException listing every problem, each naming its key
     */
    public static Engines fromSettingsWithoutPrefix(Map<String, String> withoutPrefix) {
        return withSpecs(EngineSettings.parse(withoutPrefix));
    }

    /**
     * The mapping of an engine, by name or alias, case-insensitively.
     *
     * @throws IllegalArgumentException naming the unknown engine and the known ones
     */
    public EngineMapping mapping(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown engine '" + name
                + "'; known engines: " + String.join(", ", byName.keySet())
                + " (aliases: " + String.join(", ", new TreeMap<>(ALIASES).keySet()) + "); add one with "
                + SETTINGS_PREFIX + "<engine>.* settings"));
    }

    /** The mapping of an engine, by name or alias, case-insensitively; empty when unknown. */
    public Optional<EngineMapping> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String normalized = normalize(name);
        EngineMapping mapping = byName.get(normalized);
        if (mapping == null && ALIASES.containsKey(normalized)) {
            mapping = byName.get(ALIASES.get(normalized));
        }
        return Optional.ofNullable(mapping);
    }

    /** The engine names, sorted, without aliases. */
    public Set<String> names() {
        return byName.keySet();
    }

    /**
     * Which engine a pod runs: the override configured for its scrape target, else the pod's
     * {@value #ENGINE_LABEL} label, else {@value #DEFAULT_ENGINE}. Blank values count as unset.
     * The result is lower-case and may be an alias; {@link #mapping} resolves it.
     */
    public static String engineOf(PodIdentity who, Optional<String> configured) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            return normalize(configured.get());
        }
        String label = who.labels().get(ENGINE_LABEL);
        if (label != null && !label.isBlank()) {
            return normalize(label);
        }
        return DEFAULT_ENGINE;
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>(byName.keySet());
        return "Engines" + names;
    }

    private static String normalize(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Every tensor-parallel (and pipeline or expert-parallel) rank of an SGLang scheduler runs the
     * same schedule and reports the same queue, so those series are copies; data-parallel ranks
     * ({@code dp_rank}) hold distinct requests and add up.
     */
    private static FieldSpec sglangRequests(String metric) {
        return new FieldSpec(metric, Map.of(), Aggregation.SUM, 1.0, Set.of("tp_rank", "pp_rank", "moe_ep_rank"));
    }
}
