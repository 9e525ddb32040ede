package io.inferpulse.routerfeed.epp;

import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code grpc.health.v1.Health} with the services GIE's EPP answers: {@code liveness} (SERVING while
 * the process runs), and {@code readiness}, the ext_proc service name and {@code ""} (SERVING only
 * while the endpoint table is ready and the server is not shutting down). Liveness stays SERVING
 * while draining: a failed liveness probe would have the pod killed before its streams finish.
 *
 * <p>Check asks the readiness supplier each time, so it is never behind. Watch sends the status at
 * once and then each change, looked for every {@code watchInterval}.
 */
final class EppHealth extends HealthGrpc.HealthImplBase {
    static final String LIVENESS = "liveness";
    static final String READINESS = "readiness";
    static final String EXT_PROC = ExternalProcessorGrpc.SERVICE_NAME;

    private final BooleanSupplier ready;
    private final ScheduledExecutorService watches;
    private final Duration watchInterval;
    private volatile boolean shuttingDown;

    EppHealth(BooleanSupplier ready, ScheduledExecutorService watches, Duration watchInterval) {
        this.ready = ready;
        this.watches = watches;
        this.watchInterval = watchInterval;
    }

    /** From now on every service but liveness answers NOT_SERVING, so gateways and probes stop sending new requests. */
    void shuttingDown() {
        shuttingDown = true;
    }

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
        ServingStatus status = status(request.getService());
        if (status == ServingStatus.SERVICE_UNKNOWN) {
            // The protocol's answer to Check for a service the server does not know.
            out.onError(Status.NOT_FOUND.withDescription("unknown service '" + request.getService() + "'; known: '', "
                    + LIVENESS + ", " + READINESS + ", " + EXT_PROC).asRuntimeException());
            return;
        }
        out.onNext(HealthCheckResponse.newBuilder().setStatus(status).build());
        out.onCompleted();
    }

    @Override
    public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> responseObserver) {
        ServerCallStreamObserver<HealthCheckResponse> out = (ServerCallStreamObserver<HealthCheckResponse>) responseObserver;
        String service = request.getService();
        ServingStatus[] last = {status(service)};
        out.onNext(HealthCheckResponse.newBuilder().setStatus(last[0]).build());
        ScheduledFuture<?> poll = watches.scheduleWithFixedDelay(() -> {
            ServingStatus now = status(service);
            if (now != last[0]) {
                last[0] = now;
                out.onNext(HealthCheckResponse.newBuilder().setStatus(now).build());
            }
        }, watchInterval.toNanos(), watchInterval.toNanos(), TimeUnit.NANOSECONDS);
        out.setOnCancelHandler(() -> poll.cancel(false));
    }

    ServingStatus status(String service) {
        return switch (service) {
            case LIVENESS -> ServingStatus.SERVING;
            case "", READINESS, EXT_PROC -> !shuttingDown && ready.getAsBoolean() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
            default -> ServingStatus.SERVICE_UNKNOWN;
        };
    }
}
