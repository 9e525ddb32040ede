package io.inferpulse.streams.request;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.ErrorDetail;
import io.inferpulse.streams.job.InputHealth;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Access logs of the task's pools (key {@code cluster/namespace/pool}): the per-pool request window,
 * forwarded as {@link RequestStats} to the pool-stats processor, error-detail counts, and every
 * countable log re-keyed by model for the model-stats sub-topology, followed, each time windows
 * close, by a {@link FeedProgress} marker that lets the model stage close them too. A log that cannot
 * be counted, or arrives after its window closed, goes to the dead-letter sink instead of any of them.
 * When windows close is {@link ClosingClock}'s to say.
 */
final class PoolRequestProcessor implements Processor<String, AccessLog, String, Object> {
    /** Stage of the dead letters of this processor. */
    public static final String STAGE = "streams.pool-requests";

    /** Child node names this processor forwards to. */
    record Children(String poolStats, String errorDetails, String modelRequests, String deadLetters) {}

    private final RequestStatsSettings settings;
    private final Children children;
    private final String requestStore;
    private final String errorStore;
    private final RejectedRequests rejected;
    private ProcessorContext<String, Object> context;
    private RequestWindows windows;
    private ErrorDetailWindows errors;
    private ClosingClock clock;

    PoolRequestProcessor(RequestStatsSettings settings, Children children, String requestStore, String errorStore,
                                String accessLogTopic, Serializer<AccessLog> accessLogSerializer) {
        this.settings = settings;
        this.children = children;
        this.requestStore = requestStore;
        this.errorStore = errorStore;
        this.rejected = new RejectedRequests(accessLogTopic, accessLogSerializer);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.windows = new RequestWindows(settings, context.getStateStore(requestStore));
        this.errors = new ErrorDetailWindows(settings.errorWindow().toMillis(), context.getStateStore(errorStore));
        this.clock = new ClosingClock(InputHealth.of(context), settings);
        context.schedule(settings.closeTick(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<String, AccessLog> record) {
        long nowMs = context.currentSystemTimeMs();
        AccessLog log = record.value();
        String invalid = RejectedRequests.invalidPoolLog(record.key(), log);
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
        windows.add(record.key(), eventTimeMs, RequestOutcomes.isError(log.getStatus()), log.getLatencySeconds(),
                log.getInputTokens(), log.getOutputTokens());
        RequestOutcomes.Detail detail = RequestOutcomes.errorDetail(log);
        if (detail != null) {
            errors.add(eventTimeMs, log.getCluster(), log.getNamespace(), log.getPool(), detail);
        }
        // Model totals need every pool's logs of a model in one task; without a model there is no series to count it in.
        if (!log.getModelName().isEmpty()) {
            context.forward(new Record<String, Object>(log.getModelName(), log, eventTimeMs), children.modelRequests());
        }
        clock.onRecord(nowMs, eventTimeMs, Math.max(context.currentStreamTimeMs(), eventTimeMs)).ifPresent(this::close);
    }

    private void onWallClock(long nowMs) {
        clock.onTick(nowMs, context.currentStreamTimeMs()).ifPresent(this::close);
    }

    private void close(long nowMs) {
        long before = windows.closedUpToMs();
        windows.closeUpTo(nowMs, (pool, stats) ->
                context.forward(new Record<String, Object>(pool, stats, stats.windowEndMs()), children.poolStats()));
        if (windows.closedUpToMs() != before) {
            errors.closeUpTo(windows.closedUpToMs(), detail -> context.forward(new Record<String, Object>(
                    detailKey(detail), detail, detail.getWindowEnd().toEpochMilli()), children.errorDetails()));
            context.forward(FeedProgress.marker(context.taskId().partition(), windows.closedUpToMs()), children.modelRequests());
        }
    }

    private static String detailKey(ErrorDetail detail) {
        return detail.getCluster() + '/' + detail.getNamespace() + '/' + detail.getPool() + '/' + detail.getDetail();
    }

    private void deadLetter(String key, AccessLog log, String reason, long nowMs) {
        Record<String, DeadLetter> letter = rejected.deadLetter(key, log, STAGE, reason, nowMs);
        context.forward(new Record<String, Object>(letter.key(), letter.value(), letter.timestamp()), children.deadLetters());
    }
}
