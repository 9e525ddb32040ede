package io.inferpulse.ingest.logs;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/** The mapped fields of one format: an {@link AccessLogMapping} compiled over that format's defaults. */
final class MappedFields<R> {

    /** A format's default rules; empty where the format has no source for a field. */
    record Defaults(Optional<AccessLogMapping.Rule> cluster, Optional<AccessLogMapping.Rule> namespace,
                    Optional<AccessLogMapping.Rule> pool, Optional<AccessLogMapping.Rule> model,
                    Optional<AccessLogMapping.Rule> targetModel, Optional<AccessLogMapping.Rule> inputTokens,
                    Optional<AccessLogMapping.Rule> outputTokens) {
    }

    /** What the mapped fields say about one record. */
    record Values(String cluster, String namespace, String pool, String model, String targetModel,
                  OptionalLong inputTokens, OptionalLong outputTokens) {
    }

    private final MappedField<R> cluster;
    private final MappedField<R> namespace;
    private final MappedField<R> pool;
    private final MappedField<R> model;
    private final MappedField<R> targetModel;
    private final MappedField<R> inputTokens;
    private final MappedField<R> outputTokens;

    /**
     * @throws IllegalArgumentException when the mapping names a source the format cannot have
     */
    MappedFields(AccessLogMapping mapping, Defaults defaults, Function<String, MappedField.Source<R>> compile) {
        cluster = new MappedField<>("cluster", mapping.cluster().or(defaults::cluster), mapping.defaultCluster(),
                compile);
        namespace = new MappedField<>("namespace", mapping.namespace().or(defaults::namespace), "", compile);
        pool = new MappedField<>("pool", mapping.pool().or(defaults::pool), null, compile);
        model = new MappedField<>("model", mapping.model().or(defaults::model), "", compile);
        targetModel = new MappedField<>("target-model", mapping.targetModel().or(defaults::targetModel), "",
                compile);
        inputTokens = new MappedField<>("input-tokens", mapping.inputTokens().or(defaults::inputTokens), null,
                compile);
        outputTokens = new MappedField<>("output-tokens", mapping.outputTokens().or(defaults::outputTokens), null,
                compile);
    }

    /** The pool before the other fields, so that a record without one is rejected for that, the likelier cause. */
    Values resolve(R record) {
        String poolName = pool.required(record);
        return new Values(cluster.value(record), namespace.value(record), poolName, model.value(record),
                targetModel.value(record), inputTokens.count(record), outputTokens.count(record));
    }

    static Optional<AccessLogMapping.Rule> from(String... sources) {
        return Optional.of(new AccessLogMapping.Rule(List.of(sources), Optional.empty(), Optional.empty()));
    }
}
