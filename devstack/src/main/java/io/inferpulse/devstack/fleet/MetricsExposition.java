package io.inferpulse.devstack.fleet;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a pod snapshot in the Prometheus text format (version 0.0.4) with the metric names, help texts and label
 * conventions of vLLM's V1 engine. Values are printed the way Python's prometheus_client prints them ({@code 3.0},
 * {@code le="0.3"}, {@code le="+Inf"}), since that is what scrapers of real vLLM servers meet.
 *
 * <p>{@code vllm:gpu_cache_usage_perc} is left out on purpose: newer vLLM releases replaced it with
 * {@code vllm:kv_cache_usage_perc}, and scrapers must cope with servers that only have the new name.
 * {@code model_name} labels the per-model series; the two info metrics have none, as in vLLM.
 */
final class MetricsExposition {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private MetricsExposition() {
    }

    /** The exposition of {@code snapshot}, with the gauges of {@code pin} instead when it is not {@code null}. */
    static String render(PodSnapshot snapshot, FleetConfig.Pod config, MetricsPin pin) {
        PodState state = snapshot.state();
        String model = "model_name=\"" + escape(state.model()) + "\"";
        StringBuilder out = new StringBuilder(8192);

        gauge(out, "vllm:num_requests_running", "Number of requests in model execution batches.", model,
                pin != null ? pin.running() : state.running());
        gauge(out, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", model,
                pin != null ? pin.waiting() : state.waiting());
        gauge(out, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", model,
                pin != null ? pin.kvCacheUsage() : state.kvCacheUsage());
        gauge(out, "vllm:lora_requests_info", "Running stats on lora requests.",
                "max_lora=\"" + config.maxLora() + "\","
                        + "running_lora_adapters=\"" + escape(String.join(",", snapshot.runningAdapters())) + "\","
                        + "waiting_lora_adapters=\"" + escape(String.join(",", snapshot.waitingAdapters())) + "\"",
                snapshot.unixTimeSeconds());
        gauge(out, "vllm:cache_config_info", "Information of the LLMEngine CacheConfig", labels(cacheConfig(config)),
                1);

        counter(out, "vllm:num_preemptions_total", "Cumulative number of preemption from the engine.", model,
                snapshot.preemptions());
        counter(out, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", model,
                snapshot.promptTokens());
        counter(out, "vllm:generation_tokens_total", "Number of generation tokens processed.", model,
                snapshot.generationTokens());
        header(out, "vllm:request_success_total", "Count of successfully processed requests.", "counter");
        sample(out, "vllm:request_success_total", "finished_reason=\"stop\"," + model, snapshot.finishedStop());
        sample(out, "vllm:request_success_total", "finished_reason=\"length\"," + model, snapshot.finishedLength());

        histogram(out, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", model,
                snapshot.timeToFirstToken());
        histogram(out, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", model,
                snapshot.e2eLatency());
        return out.toString();
    }

    private static Map<String, String> cacheConfig(FleetConfig.Pod config) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("block_size", Integer.toString(config.blockSize()));
        labels.put("cache_dtype", "auto");
        labels.put("enable_prefix_caching", "True");
        labels.put("gpu_memory_utilization", "0.9");
        labels.put("num_cpu_blocks", "None");
        labels.put("num_gpu_blocks", Integer.toString(config.numGpuBlocks()));
        return labels;
    }

    private static void gauge(StringBuilder out, String name, String help, String labels, double value) {
        header(out, name, help, "gauge");
        sample(out, name, labels, value);
    }

    private static void counter(StringBuilder out, String name, String help, String labels, double value) {
        header(out, name, help, "counter");
        sample(out, name, labels, value);
    }

    private static void histogram(StringBuilder out, String name, String help, String labels,
                                  Histogram.Snapshot histogram) {
        header(out, name, help, "histogram");
        List<Double> bounds = histogram.upperBounds();
        List<Long> counts = histogram.cumulativeCounts();
        for (int i = 0; i < counts.size(); i++) {
            String le = i < bounds.size() ? number(bounds.get(i)) : "+Inf";
            sample(out, name + "_bucket", labels + ",le=\"" + le + "\"", counts.get(i));
        }
        sample(out, name + "_count", labels, histogram.count());
        sample(out, name + "_sum", labels, histogram.sum());
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name).append('{').append(labels).append("} ").append(number(value)).append('\n');
    }

    private static String labels(Map<String, String> labels) {
        StringBuilder out = new StringBuilder();
        labels.forEach((key, value) -> {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(key).append("=\"").append(escape(value)).append('"');
        });
        return out.toString();
    }

    /** Plain decimal with at least one fractional digit, never an exponent. */
    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        String plain = BigDecimal.valueOf(value).toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
