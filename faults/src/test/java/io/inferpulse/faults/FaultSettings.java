package io.inferpulse.faults;

import java.nio.file.Path;

/** What the build hands the scenarios (faults/pom.xml): the jar to run, where logs go, short or full workloads. */
final class FaultSettings {
    private FaultSettings() {}

    static Path jar() {
        Path jar = Path.of(System.getProperty("inferpulse.jar", "../app/target/inferpulse.jar")).toAbsolutePath().normalize();
        if (!jar.toFile().isFile()) {
            throw new AssertionError("No " + jar + ": build it first (mvn package -pl app -am), or run the faults module in the reactor");
        }
        return jar;
    }

    /** Where a scenario's logs and data directories go: faults/target/faults/<scenario>. */
    static Path scenarioDir(String scenario) {
        return Path.of(System.getProperty("inferpulse.faults.dir", "target/faults")).resolve(scenario).toAbsolutePath();
    }

    /**
     * {@code -Dinferpulse.faults=full} runs every scenario with full-length workloads; {@code all} every
     * scenario with the short workloads; anything else the short form of mvn verify.
     */
    static boolean full() {
        return "full".equals(System.getProperty("inferpulse.faults"));
    }

    /** The short value, or the full one under {@code -Dinferpulse.faults=full}. */
    static <T> T pick(T shortValue, T fullValue) {
        return full() ? fullValue : shortValue;
    }
}
