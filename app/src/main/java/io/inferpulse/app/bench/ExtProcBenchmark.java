package io.inferpulse.app.bench;

import io.grpc.Status;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Endpoint Picker Protocol server at a fixed request rate, as a gateway loads it: requests start
 * on a fixed schedule (open loop), each its own ext_proc stream, spread over a few HTTP/2
 * connections, many in flight at once; the real {@code ScorePicker} picks from an in-memory pool.
 *
 * <p>Latency counts from when a request was due, not when it was sent, so a stall of the sender or
 * the server is charged to every request it delayed (coordinated omission). Two figures: until the
 * destination arrived (what a request waits before the gateway sends it upstream), and until the
 * stream closed after the response went through.
 */
public final class ExtProcBenchmark {
    private final PrintStream out;

    public ExtProcBenchmark(PrintStream out) {
        this.out = out;
    }

    public void run(int rate, Duration duration, Duration warmup, int endpoints, int connections) throws Exception {
        if (rate < 1 || rate > 1_000_000 || endpoints < 1 || connections < 1) {
            throw new IllegalArgumentException("--rate must be 1..1000000, --endpoints and --connections at least 1; got rate "
                    + rate + ", endpoints " + endpoints + ", connections " + connections);
        }
        out.printf("bench ext-proc: %,d requests/s for %d s after %d s warm-up, pool of %d endpoints, %d connection(s), "
                        + "%d cores, JVM %s%n", rate, duration.toSeconds(), warmup.toSeconds(), endpoints, connections,
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        try (ExtProcFixture fixture = ExtProcFixture.start(endpoints, connections)) {
            long gap = 1_000_000_000L / rate;
            int warm = (int) (warmup.toNanos() / gap);
            int measured = (int) (duration.toNanos() / gap);
            long[] routed = new long[measured];
            long[] whole = new long[measured];
            AtomicInteger errors = new AtomicInteger();
            AtomicInteger inFlight = new AtomicInteger();
            int[] maxInFlight = {0};
            CountDownLatch done = new CountDownLatch(warm + measured);
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuAtStart = 0;
            double loadAtStart = 0;
            long start = System.nanoTime() + 10_000_000;
            for (int i = 0; i < warm + measured; i++) {
                if (i == warm) {
                    cpuAtStart = os.getProcessCpuTime();
                    loadAtStart = os.getSystemLoadAverage();
                }
                long due = start + i * gap;
                // Parked, not spinning: a spinning sender would take a core from the server on 2 cores.
                PipelineBenchmark.parkUntil(due);
                int slot = i - warm;
                int open = inFlight.incrementAndGet();
                if (slot >= 0) {
                    maxInFlight[0] = Math.max(maxInFlight[0], open);
                }
                fixture.exchange(i, new ExtProcFixture.Exchange.Listener() {
                    @Override
                    public void routed(long nanoTime, String destination) {
                        if (slot >= 0) {
                            routed[slot] = nanoTime - due;
                        }
                    }

                    @Override
                    public void ended(long nanoTime, Status status) {
                        if (!status.isOk()) {
                            errors.incrementAndGet();
                        } else if (slot >= 0) {
                            whole[slot] = nanoTime - due;
                        }
                        inFlight.decrementAndGet();
                        done.countDown();
                    }
                });
            }
            long sent = System.nanoTime();
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(done.getCount() + " conversations unfinished 60 s after the last was sent");
            }
            double cores = (os.getProcessCpuTime() - cpuAtStart) / (double) (System.nanoTime() - start - warm * gap);
            double seconds = (sent - start - warm * gap) / 1e9;
            out.printf("requests: %,d measured in %.1f s (%,.0f/s), errors %d, at most %d streams open at once while measured, "
                    + "process CPU %.2f cores (client and server)%n", measured, seconds, measured / seconds, errors.get(),
                    maxInFlight[0], cores);
            // Other processes on the machine take cores from client and server alike; the tail says more with this beside it.
            out.printf("machine: load average (1 min) %.1f when measuring began, %.1f at the end, on %d cores%n", loadAtStart,
                    os.getSystemLoadAverage(), os.getAvailableProcessors());
            print("until the destination arrived", routed);
            print("whole conversation (response through, stream closed)", whole);
        }
    }

    private void print(String what, long[] nanos) {
        long[] micros = Arrays.stream(nanos).filter(l -> l > 0).map(l -> l / 1_000).sorted().toArray();
        if (micros.length == 0) {
            out.printf("%s: nothing measured%n", what);
            return;
        }
        out.printf("%s: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n", what,
                PipelineBenchmark.pct(micros, 0.50), PipelineBenchmark.pct(micros, 0.90), PipelineBenchmark.pct(micros, 0.99),
                PipelineBenchmark.pct(micros, 0.999), PipelineBenchmark.pct(micros, 1.0));
    }
}
