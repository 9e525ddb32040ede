package io.inferpulse.runtime.ops;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Named liveness and readiness checks of one service, reported the way the Kubernetes API server
 * reports its own ({@code [+]name ok} / {@code [-]name failed: reason}).
 */
public final class HealthChecks {
    /** A check answers empty when healthy, or the reason it is not. */
    public record Check(String name, Supplier<Optional<String>> problem) {}

    /** The outcome of one check. */
    public record Outcome(String name, Optional<String> problem) {
        public boolean ok() {
            return problem.isEmpty();
        }

        @Override
        public String toString() {
            return problem.map(p -> "[-]" + name + " failed: " + p).orElse("[+]" + name + " ok");
        }
    }

    private final List<Check> liveness = new CopyOnWriteArrayList<>();
    private final List<Check> readiness = new CopyOnWriteArrayList<>();

    /** A failing liveness check tells Kubernetes to restart the process. */
    public HealthChecks addLiveness(String name, Supplier<Optional<String>> problem) {
        liveness.add(new Check(name, problem));
        return this;
    }

    /** A failing readiness check takes the service out of load balancing until it passes. */
    public HealthChecks addReadiness(String name, Supplier<Optional<String>> problem) {
        readiness.add(new Check(name, problem));
        return this;
    }

    public List<Outcome> live() {
        return run(liveness);
    }

    public List<Outcome> ready() {
        return run(readiness);
    }

    private static List<Outcome> run(List<Check> checks) {
        return checks.stream().map(c -> {
            try {
                return new Outcome(c.name(), c.problem().get());
            } catch (RuntimeException e) {
                return new Outcome(c.name(), Optional.of("check threw " + e));
            }
        }).toList();
    }
}
