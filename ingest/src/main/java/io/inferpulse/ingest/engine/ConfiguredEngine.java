package io.inferpulse.ingest.engine;

import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.Labels;
import io.inferpulse.ingest.promtext.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * An {@link EngineMapping} driven by an {@link EngineSpec}: how SGLang, trtllm-serve, Triton
 * TensorRT-LLM and every user-defined engine are read. Stateless and thread-safe.
 *
 * <p>Like {@link VllmMapping}, a value the server does not report, or reports as NaN, is empty;
 * an impossible one (a negative queue, a cache more than full after scaling) is dropped rather
 * than failing the sample, so the pod's other values still get through.
 */
public final class ConfiguredEngine implements EngineMapping {

    private final EngineSpec spec;

    public ConfiguredEngine(EngineSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    public EngineSpec spec() {
        return spec;
    }

    @Override
    public String engine() {
        return spec.name();
    }

    @Override
    public PodSample map(PodIdentity who, Exposition exposition, Instant sampleTime, double scrapeDurationSeconds) {
        FieldReader waiting = new FieldReader(spec.waiting());
        FieldReader running = new FieldReader(spec.running());
        FieldReader kvCache = new FieldReader(spec.kvCache());
        String cacheConfigMetric = spec.cacheConfigMetric().orElse(null);
        LoraSpec lora = spec.lora().orElse(null);
        Sample cacheConfig = null;
        Sample newestLora = null;
        // One pass, and no "else": one metric may feed several fields (Triton's request gauge
        // gives both waiting and running, told apart by a label).
        for (Sample sample : exposition.samples()) {
            String name = sample.name();
            waiting.offer(name, sample);
            running.offer(name, sample);
            kvCache.offer(name, sample);
            if (cacheConfig == null && name.equals(cacheConfigMetric)) {
                // One series per rank, all from the same configuration: the first will do.
                cacheConfig = sample;
            }
            if (lora != null && name.equals(lora.metric()) && LoraSpec.isNewer(sample, newestLora)) {
                newestLora = sample;
            }
        }
        return new PodSample(who.cluster(), who.namespace(), who.pool(), who.pod(), who.address(), engine(),
                sampleTime, scrapeDurationSeconds,
                Accumulator.validated(kvCache.result(), PodSample::isRatio),
                Accumulator.validated(waiting.result(), PodSample::isCount),
                Accumulator.validated(running.result(), PodSample::isCount),
                lora == null ? Optional.empty() : lora.read(newestLora),
                cacheConfig == null ? Map.of() : cacheConfig.labels().asMap(),
                who.labels(), List.of(), PodStatus.UP);
    }

    @Override
    public String toString() {
        return "ConfiguredEngine[" + spec + "]";
    }

    /** Collects one field's series during the single pass over an exposition. */
    private static final class FieldReader {
        private final FieldSpec field;
        private final Accumulator total;
        /** Per replica group, the largest value; null when the field has no replica labels. */
        private final Map<List<String>, Double> replicaGroups;

        FieldReader(FieldSpec field) {
            this.field = field;
            this.total = new Accumulator(field.aggregation());
            this.replicaGroups = field.replicaLabels().isEmpty() ? null : new HashMap<>();
        }

        void offer(String name, Sample sample) {
            if (!name.equals(field.metric()) || !field.matches(sample.labels())) {
                return;
            }
            double value = sample.value();
            if (Double.isNaN(value)) {
                return;
            }
            if (replicaGroups == null) {
                total.add(value);
            } else {
                replicaGroups.merge(groupKey(sample.labels()), value, Math::max);
            }
        }

        OptionalDouble result() {
            if (replicaGroups != null) {
                replicaGroups.values().forEach(total::add);
            }
            OptionalDouble combined = total.result();
            return combined.isPresent() ? OptionalDouble.of(combined.getAsDouble() * field.scale()) : combined;
        }

        private List<String> groupKey(Labels labels) {
            List<String> key = new ArrayList<>(2 * labels.size());
            for (int i = 0; i < labels.size(); i++) {
                if (!field.replicaLabels().contains(labels.name(i))) {
                    key.add(labels.name(i));
                    key.add(labels.value(i));
                }
            }
            return key;
        }
    }
}
