package io.inferpulse.streams.request;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Access logs re-keyed by model_name: the sliding request window of each model (output key
 * {@code model_name}, target_model_name "") and of each model/target pair (key
 * {@code model_name/target_model_name}). A log without a target was not split, so it counts for the
 * model itself as target; per-target records thus always carry a target, which is how readers tell
 * them from totals. Windows close neither on stream time nor on the wall clock but on the
 * first stage's progress ({@link FeedProgress}): an instant once every access-log partition has
 * closed it.
 */
final class ModelStatsProcessor implements Processor<String, AccessLog, String, Object> {
    public static final String STAGE = "streams.model-stats";
    // Internal series keys: model names such as meta-llama/Llama-3-8B contain '/', NUL never does.
    private static final char TARGET_SEPARATOR = '\0';

    private final RequestStatsSettings settings;
    private final String modelStatsChild;
    private final String deadLetterChild;
    private final String requestStore;
    private final String progressStore;
    private final int accessLogPartitions;
    private final RejectedRequests rejected;
    private ProcessorContext<String, Object> context;
    private RequestWindows windows;
    private FeedProgress progress;

    /**
     * @param progressStore       the store of {@link FeedProgress}
     * @param accessLogPartitions the partitions of the access-log topic: the first-stage tasks to wait for
     */
    ModelStatsProcessor(RequestStatsSettings settings, String modelStatsChild, String deadLetterChild,
                               String requestStore, String progressStore, int accessLogPartitions, String repartitionTopic,
                               Serializer<AccessLog> accessLogSerializer) {
        this.settings = settings;
        this.modelStatsChild = modelStatsChild;
        this.deadLetterChild = deadLetterChild;
        this.requestStore = requestStore;
        this.progressStore = progressStore;
        this.accessLogPartitions = accessLogPartitions;
        this.rejected = new RejectedRequests(repartitionTopic, accessLogSerializer);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.windows = new RequestWindows(settings, context.getStateStore(requestStore));
        this.progress = new FeedProgress(accessLogPartitions, context.getStateStore(progressStore));
    }

    @Override
    public void process(Record<String, AccessLog> record) {
        long nowMs = context.currentSystemTimeMs();
        Optional<FeedProgress.Marker> marker = FeedProgress.markerOf(record);
        if (marker.isPresent()) {
            progress.advance(marker.get()).ifPresent(instant -> windows.closeThrough(instant, this::emit));
            return;
        }
        AccessLog log = record.value();
        String invalid = RejectedRequests.invalid(log);
        if (invalid != null) {
            deadLetter(record.key(), log, invalid, nowMs);
            return;
        }
        long eventTimeMs = record.timestamp();
        if (windows.late(eventTimeMs)) {
            deadLetter(record.key(), log, RejectedRequests.lateReason(eventTimeMs, windows.bucketEnd(eventTimeMs),
                    windows.closedUpToMs(), windows.graceMs()), nowMs);
            return;
        }
        String model = log.getModelName();
        String target = log.getTargetModelName().isEmpty() ? model : log.getTargetModelName();
        boolean error = RequestOutcomes.isError(log.getStatus());
        windows.add(model, eventTimeMs, error, log.getLatencySeconds(), log.getInputTokens(), log.getOutputTokens());
        windows.add(model + TARGET_SEPARATOR + target, eventTimeMs, error, log.getLatencySeconds(), log.getInputTokens(),
                log.getOutputTokens());
    }

    private void emit(String series, RequestStats stats) {
        int separator = series.indexOf(TARGET_SEPARATOR);
        String model = separator < 0 ? series : series.substring(0, separator);
        String target = separator < 0 ? "" : series.substring(separator + 1);
        String key = separator < 0 ? model : model + '/' + target;
        context.forward(new Record<String, Object>(key, stats.toModelStats(model, target), stats.windowEndMs()),
                modelStatsChild);
    }

    private void deadLetter(String key, AccessLog log, String reason, long nowMs) {
        Record<String, DeadLetter> letter = rejected.deadLetter(key, log, STAGE, reason, nowMs);
        context.forward(new Record<String, Object>(letter.key(), letter.value(), letter.timestamp()), deadLetterChild);
    }
}
