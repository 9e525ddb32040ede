package io.inferpulse.streams.alert;

import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.AlertState;
import io.inferpulse.streams.rules.AlertingRule;
import io.inferpulse.streams.rules.Fingerprints;
import io.inferpulse.streams.rules.RuleGroup;
import io.inferpulse.streams.rules.Sample;
import io.inferpulse.streams.rules.SeriesSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the rule groups of its task, like one shard of a Prometheus ruler: stores the latest
 * value of every series its groups read, and at each group's evaluation instant (a multiple of the
 * group's interval since the epoch, on the wall clock) runs the group's rules over the fresh series
 * and steps their alerts through {@link AlertLifecycle}. Alert events and tombstones go downstream,
 * keyed by fingerprint, with the evaluation instant as their timestamp.
 *
 * <p>All state lives in the two stores, so a restarted or moved task carries on with the same
 * {@code activeAt} and {@code startsAt}; only the last evaluated instant is kept in memory, and
 * losing it merely evaluates the current instant once more, which changes nothing.
 */
final class AlertEvaluationProcessor implements Processor<String, SeriesBatch, String, AlertEvent> {
    /** Separates group, series or rule, and fingerprint in store keys; names never contain it. */
    static final char KEY_SEPARATOR = '\u001f';
    private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluationProcessor.class);
    private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

    private final Map<String, RuleGroup> groups = new LinkedHashMap<>();
    private final AlertSettings settings;
    private final AlertMetrics metrics;
    private final Map<String, Long> lastEvaluatedMs = new HashMap<>();
    private final Set<String> reportedGroups = new HashSet<>();
    private ProcessorContext<String, AlertEvent> context;
    private KeyValueStore<String, SeriesPoint> seriesStore;
    private KeyValueStore<String, ActiveAlert> alertStore;

    AlertEvaluationProcessor(List<RuleGroup> groups, AlertSettings settings, AlertMetrics metrics) {
        groups.forEach(group -> this.groups.put(group.name(), group));
        this.settings = settings;
        this.metrics = metrics;
    }

    static String seriesKey(String group, SeriesPoint point) {
        return group + KEY_SEPARATOR + point.seriesId();
    }

    /**
     * Names a rule's alerts in the store: its name, and for a later rule of the group with the same name
     * (Prometheus allows that) also its position among them, so each keeps its own alerts.
     */
    private static String ruleKey(AlertingRule rule, Set<String> taken) {
        String key = rule.name();
        for (int occurrence = 2; taken.contains(key); occurrence++) {
            key = rule.name() + '#' + occurrence;
        }
        return key;
    }

    static String alertKey(String group, String rule, String fingerprint) {
        return group + KEY_SEPARATOR + rule + KEY_SEPARATOR + fingerprint;
    }

    @Override
    public void init(ProcessorContext<String, AlertEvent> context) {
        this.context = context;
        this.seriesStore = context.getStateStore(AlertTopology.SERIES_STORE);
        this.alertStore = context.getStateStore(AlertTopology.ALERT_STORE);
        // Wall-clock time: a group must be evaluated, and its alerts resolved, when its series stop
        // arriving, and stream time stands still exactly then.
        context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, this::evaluateDue);
    }

    @Override
    public void process(Record<String, SeriesBatch> record) {
        if (record.key() == null || record.value() == null || !groups.containsKey(record.key())) {
            return; // only produced by this topology's router, which sends every batch to a configured group
        }
        for (SeriesBatch.Point received : record.value().points()) {
            SeriesPoint point = new SeriesPoint(received.labels(), received.value(), record.timestamp());
            String key = seriesKey(record.key(), point);
            SeriesPoint stored = seriesStore.get(key);
            if (stored == null || stored.timestampMs() <= point.timestampMs()) {
                seriesStore.put(key, point);
            }
        }
    }

    @Override
    public void close() {
        reportedGroups.forEach(metrics::groupReleased);
    }

    private void evaluateDue(long nowMs) {
        for (RuleGroup group : groups.values()) {
            long intervalMs = group.interval().toMillis();
            long instantMs = nowMs - Math.floorMod(nowMs, intervalMs);
            Long last = lastEvaluatedMs.get(group.name());
            if (last == null || instantMs > last) {
                lastEvaluatedMs.put(group.name(), instantMs);
                evaluate(group, instantMs);
            }
        }
    }

    private void evaluate(RuleGroup group, long tsMs) {
        long started = System.nanoTime();
        Map<String, List<Sample>> series = freshSeries(group.name(), tsMs);
        Map<String, Map<String, ActiveAlert>> alertsByRule = alerts(group.name());
        if (series.isEmpty() && alertsByRule.isEmpty()) {
            if (reportedGroups.remove(group.name())) {
                metrics.groupReleased(group.name());
            }
            return; // not this task's group, or nothing to judge yet
        }
        SeriesSet input = name -> series.getOrDefault(name, List.of());
        Map<AlertStatus, Integer> counts = new EnumMap<>(AlertStatus.class);
        Set<String> ruleKeys = new HashSet<>();
        for (AlertingRule rule : group.rules()) {
            String ruleKey = ruleKey(rule, ruleKeys);
            ruleKeys.add(ruleKey);
            Map<String, ActiveAlert> known = alertsByRule.getOrDefault(ruleKey, Map.of());
            metrics.evaluated(group.name());
            Map<String, AlertCandidate> result;
            try {
                result = candidates(rule, input);
            } catch (RuntimeException e) {
                // As Prometheus does, a failed evaluation leaves the rule's alerts as they were: an
                // error is not evidence that the condition stopped.
                metrics.failed(group.name());
                LOG.warn("Rule {} of group {} ({}) failed to evaluate at {}: {}", rule.name(), group.name(), group.file(),
                        Instant.ofEpochMilli(tsMs), e.getMessage(), e);
                known.values().forEach(alert -> counts.merge(alert.status(), 1, Integer::sum));
                continue;
            }
            AlertTimings timings = new AlertTimings(rule.holdDuration(), rule.keepFiringFor(), settings.resendDelay(),
                    group.interval(), settings.resolvedRetention());
            for (AlertOutcome outcome : AlertLifecycle.evaluate(tsMs, known, result, timings)) {
                apply(group.name(), ruleKey, rule, outcome, tsMs, timings);
                if (outcome.alert() != null) {
                    counts.merge(outcome.alert().status(), 1, Integer::sum);
                }
            }
        }
        forgetRemovedRules(group.name(), alertsByRule, ruleKeys, tsMs);
        reportedGroups.add(group.name());
        metrics.groupEvaluated(group.name(), Duration.ofNanos(System.nanoTime() - started), counts);
    }

    private static Map<String, AlertCandidate> candidates(AlertingRule rule, SeriesSet input) {
        Map<String, AlertCandidate> result = new HashMap<>();
        for (Sample sample : rule.evaluate(input)) {
            SortedMap<String, String> labels = rule.alertLabels(sample);
            String fingerprint = Fingerprints.of(labels);
            if (result.put(fingerprint, new AlertCandidate(labels, rule.annotations(sample), sample.value())) != null) {
                throw new IllegalStateException("the result holds two samples with the alert labels " + labels
                        + " (Prometheus: vector contains metrics with the same labelset after applying alert labels)");
            }
        }
        return result;
    }

    private void apply(String group, String ruleKey, AlertingRule rule, AlertOutcome outcome, long tsMs, AlertTimings timings) {
        String key = alertKey(group, ruleKey, outcome.fingerprint());
        if (outcome.alert() == null) {
            alertStore.delete(key);
        } else {
            alertStore.put(key, outcome.alert());
        }
        switch (outcome.emit()) {
            case EVENT -> context.forward(new Record<>(outcome.fingerprint(),
                    event(outcome.fingerprint(), outcome.alert(), tsMs, timings, rule.generatorUrl()), tsMs));
            case TOMBSTONE -> context.forward(new Record<>(outcome.fingerprint(), null, tsMs));
            case NOTHING -> { }
        }
    }

    /** Alerts of rules that left the group when the rule files changed are forgotten, as Prometheus does on reload. */
    private void forgetRemovedRules(String group, Map<String, Map<String, ActiveAlert>> alertsByRule, Set<String> ruleKeys,
                                    long tsMs) {
        alertsByRule.forEach((rule, alerts) -> {
            if (!ruleKeys.contains(rule)) {
                alerts.keySet().forEach(fingerprint -> {
                    alertStore.delete(alertKey(group, rule, fingerprint));
                    context.forward(new Record<>(fingerprint, null, tsMs));
                });
            }
        });
    }

    static AlertEvent event(String fingerprint, ActiveAlert alert, long tsMs, AlertTimings timings, String generatorUrl) {
        Long endsAtMs = AlertLifecycle.endsAtMs(alert, tsMs, timings);
        return AlertEvent.newBuilder()
                .setFingerprint(fingerprint)
                .setAlertName(alert.alertName())
                .setState(AlertState.valueOf(alert.status().name()))
                .setLabels(new LinkedHashMap<>(alert.labels()))
                .setAnnotations(new LinkedHashMap<>(alert.annotations()))
                .setValue(alert.value())
                .setActiveAt(Instant.ofEpochMilli(alert.activeAtMs()))
                .setStartsAt(alert.startsAtMs() == ActiveAlert.NEVER ? null : Instant.ofEpochMilli(alert.startsAtMs()))
                .setEndsAt(endsAtMs == null ? null : Instant.ofEpochMilli(endsAtMs))
                .setEvaluatedAt(Instant.ofEpochMilli(tsMs))
                .setGeneratorUrl(generatorUrl)
                .build();
    }

    /** The group's series updated within the lookback delta, by metric name; stale ones leave the store. */
    private Map<String, List<Sample>> freshSeries(String group, long tsMs) {
        long oldestMs = tsMs - settings.lookbackDelta().toMillis();
        Map<String, List<Sample>> byName = new HashMap<>();
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, SeriesPoint> it = seriesStore.prefixScan(group + KEY_SEPARATOR, PREFIX_SERIALIZER)) {
            while (it.hasNext()) {
                KeyValue<String, SeriesPoint> entry = it.next();
                SeriesPoint point = entry.value;
                if (point.timestampMs() < oldestMs) {
                    stale.add(entry.key);
                } else {
                    byName.computeIfAbsent(point.metricName(), n -> new ArrayList<>())
                            .add(new Sample(point.labels(), point.value()));
                }
            }
        }
        stale.forEach(seriesStore::delete);
        return byName;
    }

    /** The group's alert instances by rule name, then fingerprint. */
    private Map<String, Map<String, ActiveAlert>> alerts(String group) {
        Map<String, Map<String, ActiveAlert>> byRule = new HashMap<>();
        try (KeyValueIterator<String, ActiveAlert> it = alertStore.prefixScan(group + KEY_SEPARATOR, PREFIX_SERIALIZER)) {
            while (it.hasNext()) {
                KeyValue<String, ActiveAlert> entry = it.next();
                String ruleAndFingerprint = entry.key.substring(group.length() + 1);
                int separator = ruleAndFingerprint.lastIndexOf(KEY_SEPARATOR);
                byRule.computeIfAbsent(ruleAndFingerprint.substring(0, separator), r -> new HashMap<>())
                        .put(ruleAndFingerprint.substring(separator + 1), entry.value);
            }
        }
        return byRule;
    }
}
