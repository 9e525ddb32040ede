package io.inferpulse.routerfeed.epp;

import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.inferpulse.routerfeed.pick.Picker;

/** {@code envoy.service.ext_proc.v3.ExternalProcessor/Process}: one {@link Conversation} per stream. */
final class ExtProcService extends ExternalProcessorGrpc.ExternalProcessorImplBase {
    private final EppSettings settings;
    private final Picker picker;
    private final EppMetrics metrics;

    ExtProcService(EppSettings settings, Picker picker, EppMetrics metrics) {
        this.settings = settings;
        this.picker = picker;
        this.metrics = metrics;
    }

    @Override
    public StreamObserver<ProcessingRequest> process(StreamObserver<ProcessingResponse> responseObserver) {
        ServerCallStreamObserver<ProcessingResponse> out = (ServerCallStreamObserver<ProcessingResponse>) responseObserver;
        Conversation conversation = new Conversation(out, settings, picker, metrics);
        metrics.streamOpened();
        // gRPC runs exactly one of the two when the call ends, whichever way it ends.
        out.setOnCancelHandler(() -> {
            metrics.streamClosed();
            conversation.cancelled();
        });
        out.setOnCloseHandler(() -> {
            metrics.streamClosed();
            conversation.closed();
        });
        return conversation;
    }
}
