package io.inferpulse.streams.alert;

import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.rules.RuleFiles;
import io.inferpulse.streams.rules.RuleGroup;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the alert-evaluation topology: rule loading, lifecycle, health and metrics around {@link AlertTopology}. */
public final class AlertService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertService.class);
    private static final Set<String> TOPICS = Set.of(Topics.POOL_STATS, Topics.MODEL_STATS, Topics.ALERTS, Topics.DEAD_LETTER);

    private final StreamsJob job;

    private AlertService(StreamsJob job) {
        this.job = job;
    }

    /**
     * Loads the rules, then starts the job.
     *
     * @throws io.inferpulse.streams.rules.RuleFileException naming file, line and rule when a rule file is bad;
     *     nothing has been started then
     */
    public static AlertService start(AlertConfig config, MeterRegistry meters, HealthChecks health) {
        List<RuleGroup> groups = config.ruleFiles().isEmpty()
                ? RuleFiles.loadDefault(config.rules()) : RuleFiles.load(config.ruleFiles(), config.rules());
        LOG.info("Evaluating {} rule groups ({} rules) from {}", groups.size(),
                groups.stream().mapToInt(g -> g.rules().size()).sum(),
                config.ruleFiles().isEmpty() ? "the built-in rules" : config.ruleFiles());
        TopicSetup.ensure(config.kafka(), Topics.SPECS.stream().filter(s -> TOPICS.contains(s.name())).toList());
        // A static member (streams.group.instance.id) leaves the group on close, so whoever takes its rule
        // groups over starts at once rather than after the session timeout, during which pending timers
        // would run late. Kafka Streams never sends a dynamic member's leave on close.
        KafkaStreams.CloseOptions close = new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true);
        return new AlertService(StreamsJob.start("alert-evaluation", config.kafka(), properties(config),
                topics -> AlertTopology.build(topics, groups, config.alerts(), new AlertMetrics(meters)), close, meters, health));
    }

    static Properties properties(AlertConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        // An alert event and the state change behind it commit together: after a crash the job neither
        // pages twice for one transition nor forgets one it already announced.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putAll(config.streamsOverrides());
        return props;
    }

    public KafkaStreams.State state() {
        return job.state();
    }

    @Override
    public void close() {
        job.close();
    }
}
