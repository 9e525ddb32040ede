package io.inferpulse.app.bench.jmh;

import io.inferpulse.routerfeed.pick.PickRequest;
import io.inferpulse.routerfeed.pick.PickResult;
import io.inferpulse.routerfeed.pick.PickerSettings;
import io.inferpulse.routerfeed.pick.ScorePicker;
import io.inferpulse.routerfeed.pick.Strategy;
import io.inferpulse.routerfeed.policy.BackendPolicies;
import io.inferpulse.routerfeed.table.Endpoint;
import io.inferpulse.routerfeed.table.PoolSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One pick decision in process, as the ext_proc server makes it per request: {@link ScorePicker#pick}
 * over a pool snapshot of 10, 100 or 1,000 endpoints with random scores and loads (a tenth of them
 * stale or failing, a few saturated), followed by {@code finished} so in-flight counts stay level.
 * A second thread plays the endpoint table: every millisecond it prepares the picker for another
 * snapshot ({@link ScorePicker#prepare}, the view a pick needs) and then swaps it in, as the table's
 * consumer thread does before it publishes, so picks run on fresh snapshots without building views.
 *
 * <p>SampleTime: JMH prints p50/p99/p99.9 per pick. Its timer resolution (about 20-30 ns here) is the
 * floor of the small-pool figures. Allocation: {@code -prof gc}, {@code gc.alloc.rate.norm}: the answer
 * (an array and an immutable list of addresses) and nothing per endpoint.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class PickBenchmark {
    private static final String POOL = "bench/llm/pool";

    @Param({"10", "100", "1000"})
    public int endpoints;

    @Param({"MAX_SCORE", "WEIGHTED_RANDOM", "POWER_OF_TWO"})
    public Strategy strategy;

    private final SplittableRandom random = new SplittableRandom(1);
    private PoolSnapshot[] snapshots;
    private volatile PoolSnapshot current;
    private ScorePicker picker;
    private PickRequest request;
    private Thread table;

    @Setup(Level.Trial)
    public void setUp() {
        Instant now = Instant.now();
        snapshots = new PoolSnapshot[8];
        for (int s = 0; s < snapshots.length; s++) {
            List<Endpoint> list = new ArrayList<>(endpoints);
            for (int i = 0; i < endpoints; i++) {
                int kind = random.nextInt(20);
                Endpoint.Health health = kind == 0 ? Endpoint.Health.STALE : kind == 1 ? Endpoint.Health.FAILING
                        : Endpoint.Health.HEALTHY;
                Endpoint.Load load = new Endpoint.Load(kind == 2 ? 9 : random.nextInt(4), random.nextInt(16), random.nextDouble(0.75));
                list.add(new Endpoint("bench/llm/pod-" + i + ":8000", "10.0." + (i / 256) + "." + (i % 256) + ":8000",
                        "pod-" + i, POOL, 4 * random.nextDouble(), Map.of(), health, Map.of("gke.io/zone", "z" + (i % 3)),
                        List.of(), load, now, now.plus(java.time.Duration.ofDays(1))));
            }
            snapshots[s] = new PoolSnapshot(POOL, list);
        }
        current = snapshots[0];
        picker = new ScorePicker(PickerSettings.defaults().withStrategy(strategy), key -> current, () -> BackendPolicies.NONE,
                Clock.systemUTC());
        request = new PickRequest(POOL, "", 0, Set.of());
        table = Thread.ofPlatform().name("bench-endpoint-table").daemon().start(this::swapEveryMillisecond);
    }

    /** The table's consumer thread: a new snapshot of the pool every millisecond, prepared before it is published. */
    private void swapEveryMillisecond() {
        SplittableRandom order = new SplittableRandom(2);
        while (!Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(1_000_000);
            PoolSnapshot next = snapshots[order.nextInt(snapshots.length)];
            picker.prepare(next);
            current = next;
        }
    }

    @TearDown(Level.Trial)
    public void stopTable() throws InterruptedException {
        table.interrupt();
        table.join();
    }

    @Benchmark
    public PickResult pick() {
        PickResult result = picker.pick(request);
        if (result instanceof PickResult.Picked picked) {
            picker.finished(POOL, picked.primary());
        }
        return result;
    }
}
