package io.inferpulse.streams.alert;

import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.job.StreamsJobSpec;
import io.inferpulse.streams.rules.RuleFiles;
import io.inferpulse.streams.rules.RuleGroup;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The alert-evaluation job as {@link StreamsJob} runs it: rule loading and {@link AlertTopology}. */
public final class AlertJob {
    private static final Logger LOG = LoggerFactory.getLogger(AlertJob.class);

    private AlertJob() {}

    /**
     * Loads the rules.
     *
     * @throws io.inferpulse.streams.rules.RuleFileException naming file, line and rule when a rule file is bad
     */
    public static StreamsJobSpec spec(AlertConfig config, MeterRegistry meters) {
        List<RuleGroup> groups = config.ruleFiles().isEmpty()
                ? RuleFiles.loadDefault(config.rules()) : RuleFiles.load(config.ruleFiles(), config.rules());
        LOG.info("Evaluating {} rule groups ({} rules) from {}", groups.size(),
                groups.stream().mapToInt(g -> g.rules().size()).sum(),
                config.ruleFiles().isEmpty() ? "the built-in rules" : config.ruleFiles());
        // A static member (streams.group.instance.id) leaves the group on close, so whoever takes its rule
        // groups over starts at once rather than after the session timeout, during which pending timers
        // would run late. Kafka Streams never sends a dynamic member's leave on close.
        KafkaStreams.CloseOptions close = new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true);
        AlertMetrics metrics = new AlertMetrics(meters);
        return new StreamsJobSpec("alert-evaluation", config.kafka(), config.job(),
                Topics.specs(Topics.POOL_STATS, Topics.MODEL_STATS, Topics.ALERTS, Topics.DEAD_LETTER), tuning(),
                topics -> AlertTopology.build(topics, groups, config.alerts(), metrics), close);
    }

    static Properties tuning() {
        Properties props = new Properties();
        // An alert event and the state change behind it commit together: after a crash the job neither
        // pages twice for one transition nor forgets one it already announced.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return props;
    }
}
