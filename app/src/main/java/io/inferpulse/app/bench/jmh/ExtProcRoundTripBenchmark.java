package io.inferpulse.app.bench.jmh;

import io.grpc.Status;
import io.inferpulse.app.bench.ExtProcFixture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One request through the Endpoint Picker Protocol server over loopback gRPC, one op at a time:
 * a new ext_proc stream, request headers and a chat-completion body, the destination picked by the
 * real {@code ScorePicker} from a 100-endpoint pool and the echoed body back, then the response
 * headers and body passed through and the stream closed. Client and server share the JVM (and, on
 * the reference machine, its two cores).
 *
 * <p>{@code routed}: from the stream's start to the destination's arrival, what a gateway's request
 * waits before it can go upstream. {@code conversation}: the whole stream, response included.
 * SampleTime: JMH prints p50, p90, p99, p99.9 per op. The at-rate figure, with requests overlapping,
 * is {@code inferpulse bench ext-proc}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class ExtProcRoundTripBenchmark {

    private ExtProcFixture fixture;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        fixture = ExtProcFixture.start(100, 1);
        String destination = routed();
        if (!destination.startsWith("10.0.")) {
            throw new IllegalStateException("no destination from the picker: " + destination);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        fixture.close();
    }

    /** Until the destination arrives; the rest of the conversation runs on and is not waited for. */
    @Benchmark
    public String routed() throws Exception {
        CompletableFuture<String> destination = new CompletableFuture<>();
        fixture.exchange(0, new ExtProcFixture.Exchange.Listener() {
            @Override
            public void routed(long nanoTime, String endpoints) {
                destination.complete(endpoints);
            }

            @Override
            public void ended(long nanoTime, Status status) {
                if (!status.isOk()) {
                    destination.completeExceptionally(status.asRuntimeException());
                }
            }
        });
        return destination.get(10, TimeUnit.SECONDS);
    }

    /** The whole stream: request, destination, response passed through, close. */
    @Benchmark
    public Status conversation() throws Exception {
        Status status = fixture.conversation(0);
        if (!status.isOk()) {
            throw status.asRuntimeException();
        }
        return status;
    }
}
