package io.inferpulse.ingest.engine;

import static io.inferpulse.ingest.engine.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnginesTest {

    /** The example of the {@link Engines} documentation, verbatim. */
    private static final Map<String, String> DOCUMENTED_EXAMPLE = Map.of(
            "engines.myengine.waiting.metric", "foo_queue",
            "engines.myengine.waiting.labels", "kind=waiting,shard=0",
            "engines.myengine.waiting.aggregation", "sum",
            "engines.myengine.running.metric", "foo_queue",
            "engines.myengine.running.labels", "kind=running",
            "engines.myengine.kv.metric", "foo_kv_cache_used_percent",
            "engines.myengine.kv.scale", "0.01",
            "engines.myengine.cache-config.metric", "foo_cache_info");

    private static final String MYENGINE_EXPOSITION = """
            # TYPE foo_queue gauge
            foo_queue{kind="waiting",shard="0"} 4
            foo_queue{kind="waiting",shard="1"} 40
            foo_queue{kind="running",shard="0"} 8
            foo_queue{kind="running",shard="1"} 2
            foo_kv_cache_used_percent 87.5
            foo_cache_info{block_size="64"} 1
            """;

    @Test
    void shouldKnowTheBuiltInEngines() {
        Engines engines = Engines.builtIn();

        assertThat(engines.names()).containsExactly("sglang", "triton", "trtllm", "vllm");
        assertThat(engines.mapping("vllm")).isInstanceOf(VllmMapping.class);
        assertThat(engines.mapping("sglang").engine()).isEqualTo("sglang");
        assertThat(engines.mapping("trtllm").engine()).isEqualTo("trtllm");
        assertThat(engines.mapping("triton").engine()).isEqualTo("triton");
    }

    @Test
    void shouldLookUpNamesAndAliasesCaseInsensitively() {
        Engines engines = Engines.builtIn();

        assertThat(engines.mapping(" SGLang ").engine()).isEqualTo("sglang");
        assertThat(engines.mapping("TRTLLM-Serve").engine()).isEqualTo("trtllm");
        assertThat(engines.find("triton-tensorrt-llm")).map(EngineMapping::engine).contains("triton");
        assertThat(engines.find("tgi")).isEmpty();
        assertThat(engines.find(null)).isEmpty();
    }

    @Test
    void shouldNameTheUnknownEngineAndTheKnownOnes() {
        assertThatThrownBy(() -> Engines.builtIn().mapping("tgi"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown engine 'tgi'")
                .hasMessageContaining("sglang, triton, trtllm, vllm")
                .hasMessageContaining("trtllm-serve")
                .hasMessageContaining("engines.<engine>.*");
    }

    @Test
    void shouldChooseConfiguredEngineThenPodLabelThenVllm() {
        PodIdentity labelled = pod(Map.of(Engines.ENGINE_LABEL, "sglang"));
        PodIdentity unlabelled = pod(Map.of("app", "x"));

        assertThat(Engines.engineOf(labelled, Optional.of("triton"))).isEqualTo("triton");
        assertThat(Engines.engineOf(labelled, Optional.empty())).isEqualTo("sglang");
        assertThat(Engines.engineOf(labelled, Optional.of("  "))).isEqualTo("sglang");
        assertThat(Engines.engineOf(unlabelled, Optional.empty())).isEqualTo("vllm");
        assertThat(Engines.engineOf(pod(Map.of(Engines.ENGINE_LABEL, "")), Optional.empty())).isEqualTo("vllm");
        assertThat(Engines.engineOf(pod(Map.of(Engines.ENGINE_LABEL, " TRTLLM-Serve")), Optional.empty()))
                .isEqualTo("trtllm-serve");
        assertThat(Engines.builtIn().mapping(Engines.engineOf(pod(Map.of(Engines.ENGINE_LABEL, "TRTLLM-Serve")),
                Optional.empty())).engine()).isEqualTo("trtllm");
    }

    @Test
    void shouldAddAnEngineFromTheDocumentedSettings() {
        Engines engines = Engines.fromSettings(DOCUMENTED_EXAMPLE);

        assertThat(engines.names()).containsExactly("myengine", "sglang", "triton", "trtllm", "vllm");
        PodSample sample = map(engines.mapping("myengine"), MYENGINE_EXPOSITION);
        assertThat(sample.engine()).isEqualTo("myengine");
        assertThat(sample.requestsWaiting()).hasValue(4.0);
        assertThat(sample.requestsRunning()).hasValue(10.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.875);
        assertThat(sample.cacheConfig()).containsEntry("block_size", "64");
    }

    @Test
    void shouldParseEveryPropertyAndApplyDefaults() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("engines.full.waiting.metric", "q");
        settings.put("engines.full.waiting.labels", " kind = \"waiting\" , zone= ");
        settings.put("engines.full.waiting.aggregation", "MAX");
        settings.put("engines.full.waiting.replica-labels", "tp_rank, pp_rank");
        settings.put("engines.full.running.metric", "r");
        settings.put("engines.full.kv.metric", "k");
        settings.put("engines.full.kv.scale", "1e-2");
        settings.put("engines.full.lora.metric", "adapters_info");
        settings.put("engines.full.lora.max-label", "cap");
        EngineSpec spec = ((ConfiguredEngine) Engines.fromSettings(settings).mapping("full")).spec();

        assertThat(spec.waiting()).isEqualTo(new FieldSpec("q", Map.of("kind", "waiting", "zone", ""), Aggregation.MAX,
                1.0, Set.of("tp_rank", "pp_rank")));
        assertThat(spec.running()).isEqualTo(FieldSpec.sum("r"));
        assertThat(spec.kvCache()).isEqualTo(new FieldSpec("k", Map.of(), Aggregation.MAX, 0.01));
        assertThat(spec.cacheConfigMetric()).isEmpty();
        assertThat(spec.lora()).contains(new LoraSpec("adapters_info", "cap", "running_lora_adapters",
                "waiting_lora_adapters"));
    }

    @Test
    void shouldIgnoreSettingsOutsideThePrefixAndAcceptStrippedKeys() {
        Map<String, String> settings = new LinkedHashMap<>(DOCUMENTED_EXAMPLE);
        settings.put("cluster.name", "prod-eu");
        settings.put("scrape.interval", "1s");
        Map<String, String> stripped = new LinkedHashMap<>();
        DOCUMENTED_EXAMPLE.forEach((key, value) -> stripped.put(key.substring("engines.".length()), value));

        assertThat(Engines.fromSettings(settings).names()).contains("myengine");
        assertThat(Engines.fromSettingsWithoutPrefix(stripped).mapping("myengine"))
                .isInstanceOf(ConfiguredEngine.class);
        assertThat(Engines.fromSettings(Map.of()).names()).isEqualTo(Engines.builtIn().names());
    }

    @Test
    void shouldLetAConfiguredEngineReplaceABuiltInOne() {
        Map<String, String> settings = Map.of(
                "engines.SGLang.waiting.metric", "sglang:num_queue_reqs",
                "engines.SGLang.running.metric", "sglang:num_running_reqs",
                "engines.SGLang.kv.metric", "sglang:token_usage");
        Engines engines = Engines.fromSettings(settings);

        PodSample sample = map(engines.mapping("sglang"), """
                sglang:num_queue_reqs{tp_rank="0"} 5
                sglang:num_queue_reqs{tp_rank="1"} 5
                """);
        // The user's spec has no replica labels, so both ranks add up: the built-in is gone.
        assertThat(sample.requestsWaiting()).hasValue(10.0);
    }

    @Test
    void shouldRejectTwoSpecsOfOneName() {
        EngineSpec spec = new EngineSpec("foo", FieldSpec.sum("a"), FieldSpec.sum("b"), FieldSpec.max("c"),
                Optional.empty(), Optional.empty());

        assertThatThrownBy(() -> Engines.withSpecs(List.of(spec, spec)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'foo'");
    }

    @Test
    void shouldNameTheKeyOfAnUnknownField() {
        assertProblem(with("engines.myengine.qeue.metric", "x"),
                "engines.myengine.qeue.metric: unknown field 'qeue' (known: waiting, running, kv, cache-config, lora)");
    }

    @Test
    void shouldNameTheKeyOfAnUnknownProperty() {
        assertProblem(with("engines.myengine.kv.sclae", "0.01"),
                "engines.myengine.kv.sclae: unknown property 'sclae' of kv (known: metric, labels, aggregation, scale, replica-labels)");
        assertProblem(with("engines.myengine.cache-config.labels", "a=b"),
                "engines.myengine.cache-config.labels: unknown property 'labels' of cache-config (known: metric)");
    }

    @Test
    void shouldNameTheKeyOfAMissingMetric() {
        Map<String, String> settings = new LinkedHashMap<>(DOCUMENTED_EXAMPLE);
        settings.remove("engines.myengine.kv.metric");

        assertProblem(settings, "engines.myengine.kv.metric: required, but not set (the other engines.myengine.kv.* settings need it)");

        settings.remove("engines.myengine.kv.scale");
        assertProblem(settings, "engines.myengine.kv.metric: required, but not set");
    }

    @Test
    void shouldNameTheKeyOfABadAggregation() {
        assertProblem(with("engines.myengine.waiting.aggregation", "avg"),
                "engines.myengine.waiting.aggregation: 'avg' is not an aggregation (known: sum, max)");
    }

    @Test
    void shouldNameTheKeyOfABadScale() {
        assertProblem(with("engines.myengine.kv.scale", "one percent"),
                "engines.myengine.kv.scale: 'one percent' is not a number");
        for (String bad : List.of("0", "-0.01", "NaN", "Infinity")) {
            assertProblem(with("engines.myengine.kv.scale", bad),
                    "engines.myengine.kv.scale: must be a finite number > 0 (e.g. 0.01 for percent), got " + bad);
        }
    }

    @Test
    void shouldNameTheKeyOfBadLabelsAndNames() {
        assertProblem(with("engines.myengine.waiting.labels", "kind"),
                "engines.myengine.waiting.labels: 'kind' is not name=value");
        assertProblem(with("engines.myengine.waiting.labels", "kind=a,kind=b"),
                "engines.myengine.waiting.labels: label 'kind' appears twice");
        assertProblem(with("engines.myengine.waiting.labels", "request-type=waiting"),
                "engines.myengine.waiting.labels: label 'request-type' is not a valid Prometheus label name");
        assertProblem(with("engines.myengine.waiting.metric", "foo.queue"),
                "engines.myengine.waiting.metric: metric 'foo.queue' is not a valid Prometheus metric name");
        assertProblem(with("engines.myengine.waiting.metric", ""),
                "engines.myengine.waiting.metric: must not be empty");
        Map<String, String> lora = with("engines.myengine.lora.metric", "foo_adapters_info");
        lora.put("engines.myengine.lora.max-label", "max lora");
        assertProblem(lora,
                "engines.myengine.lora.max-label: label 'max lora' is not a valid Prometheus label name");
    }

    @Test
    void shouldNameTheKeyOfABadEngineNameOrShape() {
        assertProblem(Map.of("engines.my engine.waiting.metric", "x"),
                "engines.my engine.waiting.metric: engine name 'my engine' must start with a lower-case letter or digit and contain only a-z, 0-9, '-' and '_'");
        assertProblem(Map.of("engines.myengine.waiting", "x"),
                "engines.myengine.waiting: expected engines.<engine>.<field>.<property>, e.g. engines.myengine.waiting.metric");
        assertProblem(Map.of("engines.myengine.waiting.metric.extra", "x"),
                "engines.myengine.waiting.metric.extra: expected engines.<engine>.<field>.<property>, e.g. engines.myengine.waiting.metric");
    }

    @Test
    void shouldRequireTheMetricOfAnOptionalFieldThatIsConfigured() {
        assertProblem(with("engines.myengine.lora.running-label", "active_adapters"),
                "engines.myengine.lora.metric: required, but not set (the other engines.myengine.lora.* settings need it)");
    }

    @Test
    void shouldListEveryProblemAtOnce() {
        Map<String, String> settings = new LinkedHashMap<>(DOCUMENTED_EXAMPLE);
        settings.put("engines.myengine.kv.scale", "-1");
        settings.put("engines.myengine.waiting.aggregation", "mean");
        settings.put("engines.other.running.metric", "r");

        EngineSettingsException e = catchThrowableOfType(EngineSettingsException.class,
                () -> Engines.fromSettings(settings));

        assertThat(e.problems()).containsExactly(
                "engines.myengine.kv.scale: must be a finite number > 0 (e.g. 0.01 for percent), got -1",
                "engines.myengine.waiting.aggregation: 'mean' is not an aggregation (known: sum, max)",
                "engines.other.kv.metric: required, but not set",
                "engines.other.waiting.metric: required, but not set");
        assertThat(e).hasMessageStartingWith("invalid engine settings:\n  - engines.myengine.kv.scale");
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> settings = new LinkedHashMap<>(DOCUMENTED_EXAMPLE);
        settings.put(key, value);
        return settings;
    }

    private static void assertProblem(Map<String, String> settings, String problem) {
        EngineSettingsException e = catchThrowableOfType(EngineSettingsException.class,
                () -> Engines.fromSettings(settings));

        assertThat(e).as("settings %s", settings).isNotNull();
        assertThat(e.problems()).containsExactly(problem);
        assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessage("invalid engine settings: " + problem);
    }

    private static PodIdentity pod(Map<String, String> labels) {
        return new PodIdentity("c", "ns", "pool", "pod", "10.0.0.1:8000", labels);
    }
}
