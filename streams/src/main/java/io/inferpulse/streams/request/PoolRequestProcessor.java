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
 * countable log re-keyed by model for the model-stats sub-topology. A log that cannot be counted, or
 * arrives after its window closed, goes to the dead-letter sink instead of any of them.
 *
 * <p>Windows close on stream time and, for a task that receives nothing, on the wall clock: an idle
 * partition has no stream time, yet a pool whose traffic stopped must report it. The wall clock
 * only closes while no record arrived for the grace period, so catching up on a backlog after a
 * restart is judged by its own event time rather than dead-lettered wholesale, and only while the
 * job's input is known to be reachable ({@link InputHealth}), so that logs held up by a broker or
 * registry outage are counted when they arrive instead of dead-lettered as late.
 */
public final class PoolRequestProcessor implements Processor<String, AccessLog, String, Object> {
    /** Stage of the dead letters of this processor. */
    public static final String STAGE = "streams.pool-requests";

    /** Child node names this processor forwards to. */
    public record Children(String poolStats, String errorDetails, String modelRequests, String deadLetters) {}

    private final RequestStatsSettings settings;
    private final Children children;
    private final String requestStore;
    private final String errorStore;
    private final RejectedRequests rejected;
    private ProcessorContext<String, Object> context;
    private RequestWindows windows;
    private ErrorDetailWindows errors;
    private InputHealth input;
    private WallClockClosing wallClock;

    public PoolRequestProcessor(RequestStatsSettings settings, Children children, String requestStore, String errorStore,
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
        this.input = InputHealth.of(context);
        this.wallClock = new WallClockClosing(input, settings, context.currentSystemTimeMs());
        input.firstStageActive(context.currentSystemTimeMs());
        context.schedule(settings.closeTick(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<String, AccessLog> record) {
        long nowMs = context.currentSystemTimeMs();
        wallClock.heard(nowMs);
        input.firstStageActive(nowMs);
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
        close(Math.max(context.currentStreamTimeMs(), eventTimeMs));
    }

    private void onWallClock(long nowMs) {
        wallClock.closableUpTo(nowMs).ifPresent(this::close);
    }

    private void close(long nowMs) {
        windows.closeUpTo(nowMs, (pool, stats) ->
                context.forward(new Record<String, Object>(pool, stats, stats.windowEndMs()), children.poolStats()));
        if (windows.closedUpToMs() != Long.MIN_VALUE) {
            errors.closeUpTo(windows.closedUpToMs(), detail -> context.forward(new Record<String, Object>(
                    detailKey(detail), detail, detail.getWindowEnd().toEpochMilli()), children.errorDetails()));
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
