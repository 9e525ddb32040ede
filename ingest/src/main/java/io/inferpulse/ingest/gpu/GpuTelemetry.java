package io.inferpulse.ingest.gpu;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest GPU samples of every dcgm-exporter, looked up by pod when that pod's model server is
 * scraped. Exporters and model servers are scraped independently, so this cache joins them.
 *
 * <p>Each exporter (one per node) reports all pods of its node, so an update replaces everything
 * that exporter said before: a pod that moved off the node, or whose GPU was released, stops being
 * reported at once. An exporter that stops answering keeps its last contribution until it is older
 * than the maximum age; after that it counts as gone.
 *
 * <p>Thread-safe. Lookups, one per model-server scrape, take no lock; updates, one per exporter
 * scrape, are serialized among themselves.
 */
public final class GpuTelemetry {

    /** A few dcgm-exporter scrape intervals, so one failed exporter scrape does not drop the GPUs. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(10);

    private final Duration maxAge;
    private final Map<URI, Contribution> byExporter = new ConcurrentHashMap<>();
    /** Which exporters mention a pod, so a lookup reads one or two contributions, not all of them. */
    private final Map<PodRef, Set<URI>> exportersOf = new ConcurrentHashMap<>();
    private final Object updates = new Object();
    /** When stale exporters were last looked for; guarded by {@link #updates}. */
    private Instant lastSweep;

    public GpuTelemetry() {
        this(DEFAULT_MAX_AGE);
    }

    /** @param maxAge samples older than this are not returned */
    public GpuTelemetry(Duration maxAge) {
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
        }
        this.maxAge = maxAge;
    }

    public Duration maxAge() {
        return maxAge;
    }

    /**
     * Replaces what {@code exporter} reported before with {@code latest}, sampled at {@code at}.
     * A report older than the one already held for that exporter (a slow scrape overtaken by the
     * next one) is ignored. Also forgets exporters whose last report is older than the maximum age,
     * measured from {@code at}, so that a cluster whose nodes come and go does not accumulate them.
     */
    public void update(URI exporter, Map<PodRef, List<GpuSample>> latest, Instant at) {
        Objects.requireNonNull(exporter, "exporter");
        Objects.requireNonNull(at, "at");
        Map<PodRef, List<GpuSample>> copy = new HashMap<>();
        latest.forEach((pod, gpus) -> copy.put(Objects.requireNonNull(pod, "pod"), List.copyOf(gpus)));
        Contribution next = new Contribution(Map.copyOf(copy), at);
        synchronized (updates) {
            Contribution current = byExporter.get(exporter);
            if (current != null && current.at().isAfter(at)) {
                return;
            }
            // Index first, then publish, then unindex: a concurrent lookup may see a pod's exporter
            // without the pod in its contribution (and skip it), but never misses a published one.
            for (PodRef pod : next.gpus().keySet()) {
                exportersOf.computeIfAbsent(pod, p -> ConcurrentHashMap.newKeySet()).add(exporter);
            }
            Contribution previous = byExporter.put(exporter, next);
            if (previous != null) {
                unindex(exporter, previous.gpus().keySet(), next.gpus().keySet());
            }
            forgetStale(at);
        }
    }

    /** Forgets an exporter at once, for when discovery sees it leave. */
    public void remove(URI exporter) {
        synchronized (updates) {
            Contribution previous = byExporter.remove(exporter);
            if (previous != null) {
                unindex(exporter, previous.gpus().keySet(), Set.of());
            }
        }
    }

    /**
     * The GPUs serving a pod according to every exporter whose report is no older than the maximum
     * age at {@code now}; empty when none is. When two exporters report the same GPU (an exporter
     * restarted under a new address while the old report is still fresh), the newer report wins.
     */
    public List<GpuSample> gpusOf(String namespace, String pod, Instant now) {
        Objects.requireNonNull(now, "now");
        if (namespace.isBlank() || pod.isBlank()) {
            return List.of();
        }
        PodRef ref = new PodRef(namespace, pod);
        Set<URI> exporters = exportersOf.get(ref);
        if (exporters == null || exporters.isEmpty()) {
            return List.of();
        }
        Instant oldest = now.minus(maxAge);
        List<Contribution> fresh = new ArrayList<>(exporters.size());
        for (URI exporter : exporters) {
            Contribution contribution = byExporter.get(exporter);
            if (contribution != null && !contribution.at().isBefore(oldest)) {
                fresh.add(contribution);
            }
        }
        if (fresh.size() <= 1) {
            return fresh.isEmpty() ? List.of() : fresh.get(0).gpus().getOrDefault(ref, List.of());
        }
        fresh.sort((a, b) -> b.at().compareTo(a.at()));
        List<GpuSample> gpus = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Contribution contribution : fresh) {
            for (GpuSample gpu : contribution.gpus().getOrDefault(ref, List.of())) {
                if (seen.add(gpu.uuid().isEmpty() ? "gpu:" + gpu.gpu() : gpu.uuid())) {
                    gpus.add(gpu);
                }
            }
        }
        return List.copyOf(gpus);
    }

    /** The exporters that reported and are not yet forgotten. */
    public Set<URI> exporters() {
        return Set.copyOf(byExporter.keySet());
    }

    /**
     * At most once per maximum age, since looking costs a pass over every exporter and each update
     * would otherwise make one: quadratic in the number of nodes per scrape round.
     */
    private void forgetStale(Instant at) {
        if (lastSweep != null && at.isBefore(lastSweep.plus(maxAge))) {
            return;
        }
        lastSweep = at;
        Instant oldest = at.minus(maxAge);
        byExporter.forEach((exporter, contribution) -> {
            if (contribution.at().isBefore(oldest) && byExporter.remove(exporter, contribution)) {
                unindex(exporter, contribution.gpus().keySet(), Set.of());
            }
        });
    }

    private void unindex(URI exporter, Set<PodRef> before, Set<PodRef> still) {
        for (PodRef pod : before) {
            if (!still.contains(pod)) {
                exportersOf.computeIfPresent(pod, (p, set) -> {
                    set.remove(exporter);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }

    private record Contribution(Map<PodRef, List<GpuSample>> gpus, Instant at) {
    }
}
