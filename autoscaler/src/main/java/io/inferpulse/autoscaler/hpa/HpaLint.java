package io.inferpulse.autoscaler.hpa;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Finds HPA metrics whose target does not do what its author expects: an {@code AverageValue}
 * target on a pool average ({@code inference_pool_average_*}, in the EPP or the Stackdriver form),
 * as the seed's manifest has it.
 *
 * <p>For an external metric HPA computes ceil(value / target) for {@code AverageValue}, whatever
 * the current replica count. A pool average does not grow as pods are added, so with 10 pods at
 * 0.9 KV-cache use and a target of 0.8 HPA wants ceil(0.9 / 0.8) = 2 pods, not 12. {@code Value}
 * scales by the ready pods instead (ceil(ready x value / target)), and {@code AverageValue} means
 * "per replica" only on a sum, such as {@code inference_pool_total_queue_size}.
 */
public final class HpaLint {

    private static final YAMLMapper YAML = new YAMLMapper();

    /**
     * @param source   the file the manifest came from
     * @param document the YAML document's position in the file, from 1
     * @param hpa      {@code namespace/name} of the HPA ({@code name} alone when it has no namespace)
     * @param metric   the index in {@code spec.metrics}
     */
    public record Finding(String source, int document, String hpa, int metric, String metricName, String advice) {
        public Finding {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(hpa, "hpa");
            Objects.requireNonNull(metricName, "metricName");
            Objects.requireNonNull(advice, "advice");
        }

        public String message() {
            return source + ", document " + document + ": HorizontalPodAutoscaler " + hpa + ", spec.metrics[" + metric
                    + "]: AverageValue target on the pool average " + metricName + ". " + advice;
        }
    }

    private HpaLint() {
    }

    /**
     * Checks every HorizontalPodAutoscaler in a multi-document YAML text, including the items of a
     * {@code kind: List}; other kinds are skipped. Only the fields the check needs are read, so a
     * template with placeholders such as {@code minReplicas: MIN_REPLICAS} can be checked too.
     *
     * @throws IllegalArgumentException with the line when the text is not YAML
     */
    public static List<Finding> check(String source, String yaml) {
        List<Finding> findings = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            int document = 0;
            while (documents.hasNextValue()) {
                JsonNode node = documents.nextValue();
                document++;
                check(source, document, node, findings);
            }
        } catch (JsonProcessingException e) {
            // SnakeYAML's mark points at the problem; Jackson's location is where its parser stood
            if (e.getCause() instanceof MarkedYAMLException marked) {
                Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
                throw new IllegalArgumentException(source + (mark == null ? "" : ":" + (mark.getLine() + 1))
                        + ": malformed YAML: " + marked.getProblem(), e);
            }
            throw new IllegalArgumentException(source + ": malformed YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        return findings;
    }

    private static void check(String source, int document, JsonNode node, List<Finding> findings) {
        if (node == null || !node.isObject()) {
            return;
        }
        String kind = node.path("kind").asText();
        if (kind.equals("List")) {
            node.path("items").forEach(item -> check(source, document, item, findings));
            return;
        }
        if (!kind.equals("HorizontalPodAutoscaler")) {
            return;
        }
        JsonNode metadata = node.path("metadata");
        String hpa = (metadata.hasNonNull("namespace") ? metadata.get("namespace").asText() + "/" : "")
                + metadata.path("name").asText("(unnamed)");
        JsonNode metrics = node.path("spec").path("metrics");
        for (int i = 0; i < metrics.size(); i++) {
            JsonNode external = metrics.get(i).path("external");
            String name = external.path("metric").path("name").asText();
            if (external.path("target").path("type").asText().equals("AverageValue")
                    && NameForm.eppName(name).startsWith(HpaMetric.AVERAGE_PREFIX)) {
                findings.add(new Finding(source, document, hpa, i, name, advice(name)));
            }
        }
    }

    /**
     * What to use instead when a pool's HPA would put an {@code AverageValue} target on a pool
     * average, for tools that build the HPA rather than read it.
     */
    public static Optional<String> advice(PoolHpa hpa) {
        boolean misfit = hpa.target().type() == MetricTarget.Type.AVERAGE_VALUE
                && hpa.metric().eppName().startsWith(HpaMetric.AVERAGE_PREFIX);
        return misfit ? Optional.of(advice(hpa.nameForm().metricName(hpa.metric()))) : Optional.empty();
    }

    private static String advice(String metricName) {
        String advice = "HPA scales an AverageValue target to ceil(value / target) whatever the current replica count, "
                + "and a pool average does not grow with the pool. Use target.type: Value (value: the same target), "
                + "which scales to ceil(ready pods x value / target)";
        NameForm form = NameForm.of(metricName);
        return HpaMetric.byEppName(NameForm.eppName(metricName)).flatMap(HpaMetric::sum)
                .map(sum -> advice + ", or the pool sum " + form.metricName(sum) + " with AverageValue set to the "
                        + "target per replica.")
                .orElse(advice + ".");
    }
}
