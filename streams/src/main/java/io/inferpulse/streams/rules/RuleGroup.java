package io.inferpulse.streams.rules;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A group of alerting rules evaluated together every {@code interval}.
 *
 * @param name group name, unique within its file
 * @param interval evaluation interval
 * @param rules the group's rules in file order
 * @param file the file the group came from, as given to {@link RuleFiles#load}
 */
public record RuleGroup(String name, Duration interval, List<AlertingRule> rules, String file) {

    public RuleGroup {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(file, "file");
        rules = List.copyOf(rules);
    }
}
