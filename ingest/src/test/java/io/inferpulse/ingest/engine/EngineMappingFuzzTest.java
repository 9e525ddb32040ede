package io.inferpulse.ingest.engine;

import static io.inferpulse.ingest.promtext.RandomExpositions.SEED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.inferpulse.ingest.promtext.RandomExpositions;
import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.PromTextParseException;
import io.inferpulse.ingest.promtext.PromTextParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property tests: a mapping never throws on a parsed exposition, whatever its values and labels,
 * and what it returns always satisfies {@link PodSample}'s invariants. The only documented failure
 * on the way from bytes to a sample is the parser's {@link PromTextParseException}.
 */
class EngineMappingFuzzTest {

    private static final List<String> METRICS = List.of(
            "vllm:num_requests_waiting", "vllm:num_requests_running", "vllm:kv_cache_usage_perc",
            "vllm:gpu_cache_usage_perc", "vllm:lora_requests_info", "vllm:cache_config_info",
            "sglang:num_queue_reqs", "sglang:num_running_reqs", "sglang:token_usage", "sglang:cache_config_info",
            "trtllm_num_requests_waiting", "trtllm_num_requests_running", "trtllm_kv_cache_utilization",
            "nv_trt_llm_request_metrics", "nv_trt_llm_kv_cache_block_metrics",
            "foo_queue", "foo_kv", "foo_info", "foo_adapters");
    private static final List<String> LABELS = List.of("model_name", "engine", "tp_rank", "dp_rank", "pp_rank",
            "request_type", "kv_cache_block_type", "max_lora", "running_lora_adapters", "waiting_lora_adapters",
            "kind", "shard", "rank", "block_size", "le");
    private static final List<String> FIXTURES = List.of("/engine/sglang-tp2-metrics.prom",
            "/engine/trtllm-serve-metrics.prom", "/engine/triton-trtllm-backend-metrics.prom",
            "/io/inferpulse/ingest/engine/vllm-v0.10-metrics.prom",
            "/io/inferpulse/ingest/engine/vllm-v0.8-v0-engine-metrics.prom");

    private final List<EngineMapping> mappings = mappings();

    @Test
    void shouldNeverThrowOnRandomExpositionsOfRealMetricNames() {
        Random random = new Random(SEED);
        for (int i = 0; i < 2000; i++) {
            String text = RandomExpositions.generate(random, METRICS, LABELS, 30);
            Exposition exposition;
            try {
                exposition = PromTextParser.parse(text);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + ", case " + i + ": generator wrote unparsable text\n" + text, e);
            }
            assertMapsCleanly(exposition, i, text);
        }
    }

    @Test
    void shouldNeverThrowOnMutatedRealExpositions() {
        Random random = new Random(SEED);
        List<byte[]> fixtures = FIXTURES.stream().map(Fixtures::bytes).toList();
        int parsed = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] body = RandomExpositions.mutate(fixtures.get(random.nextInt(fixtures.size())), random);
            Exposition exposition;
            try {
                exposition = PromTextParser.parse(body);
            } catch (PromTextParseException e) {
                continue;
            }
            parsed++;
            assertMapsCleanly(exposition, i, new String(body, StandardCharsets.UTF_8));
        }
        assertThat(parsed).as("seed %d: mutations that still parse", SEED).isPositive();
    }

    private void assertMapsCleanly(Exposition exposition, int caseNumber, String text) {
        for (EngineMapping mapping : mappings) {
            try {
                PodSample sample = Fixtures.map(mapping, exposition);
                assertThat(sample.engine()).isEqualTo(mapping.engine());
                sample.kvCacheUsageRatio().ifPresent(kv -> assertThat(kv).isBetween(0.0, 1.0));
                sample.requestsWaiting().ifPresent(n -> assertThat(n).isNotNegative().isFinite());
                sample.requestsRunning().ifPresent(n -> assertThat(n).isNotNegative().isFinite());
            } catch (RuntimeException | AssertionError e) {
                fail("seed " + SEED + ", case " + caseNumber + ", engine " + mapping.engine() + ": " + e + "\n" + text, e);
            }
        }
    }

    private static List<EngineMapping> mappings() {
        List<EngineMapping> mappings = new ArrayList<>();
        Engines builtIn = Engines.builtIn();
        builtIn.names().forEach(name -> mappings.add(builtIn.mapping(name)));
        // Everything a spec can ask for at once: filters, replicas, scale, cache config and LoRA.
        mappings.add(new ConfiguredEngine(new EngineSpec("foo",
                new FieldSpec("foo_queue", Map.of("kind", "waiting"), Aggregation.SUM, 1.0, Set.of("rank")),
                new FieldSpec("foo_queue", Map.of("kind", ""), Aggregation.MAX, 2.5),
                new FieldSpec("foo_kv", Map.of(), Aggregation.MAX, 0.01, Set.of("shard")),
                Optional.of("foo_info"), Optional.of(LoraSpec.withVllmLabels("foo_adapters")))));
        return mappings;
    }
}
