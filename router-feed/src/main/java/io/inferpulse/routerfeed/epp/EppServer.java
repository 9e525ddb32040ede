package io.inferpulse.routerfeed.epp;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.SelfSignedCertificate;
import io.inferpulse.routerfeed.pick.Picker;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Endpoint Picker Protocol server of one InferencePool: Envoy ext_proc on {@code epp.port}
 * (9002) and gRPC health on {@code epp.health-port} (9003), the ports of GIE's EPP, so a gateway
 * can name it as the pool's {@code endpointPickerRef}.
 *
 * <p>Calls run on the transport's event loops (direct executor): a pick takes microseconds and
 * never blocks, so handing each message to another thread pool would only add a hop to every answer.
 *
 * <p>{@link #close()} drains: health turns NOT_SERVING, no new stream is accepted, open streams (HTTP
 * requests in flight, streamed responses among them) may finish until {@code epp.drain-timeout},
 * then the rest are cancelled, which releases their picks.
 */
public final class EppServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EppServer.class);
    /** Room for the envelope of a buffered body that is exactly at the limit. */
    private static final int MESSAGE_OVERHEAD_BYTES = 64 * 1024;

    private final EppSettings settings;
    private final Server extProc;
    private final Server health;
    private final EppHealth healthService;
    private final ScheduledExecutorService watches;

    private EppServer(EppSettings settings, Server extProc, Server health, EppHealth healthService,
                      ScheduledExecutorService watches) {
        this.settings = settings;
        this.extProc = extProc;
        this.health = health;
        this.healthService = healthService;
        this.watches = watches;
    }

    /**
     * Starts both servers.
     *
     * @param ready whether picks can be trusted yet (the endpoint table has caught up): health answers SERVING only then
     */
    public static EppServer start(EppSettings settings, Picker picker, BooleanSupplier ready, MeterRegistry meters)
            throws IOException {
        EppMetrics metrics = new EppMetrics(meters);
        ScheduledExecutorService watches = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("epp-health-watch").daemon().factory());
        EppHealth healthService = new EppHealth(ready, watches, Duration.ofSeconds(1));
        Server health = NettyServerBuilder.forAddress(new InetSocketAddress(settings.host(), settings.healthPort()))
                .directExecutor().addService(healthService).build();
        NettyServerBuilder extProcBuilder = NettyServerBuilder.forAddress(new InetSocketAddress(settings.host(), settings.port()))
                .directExecutor().addService(new ExtProcService(settings, picker, metrics))
                .maxInboundMessageSize(settings.maxRequestBodyBytes() + MESSAGE_OVERHEAD_BYTES);
        if (settings.tls().enabled()) {
            extProcBuilder.sslContext(tls(settings.tls()));
        }
        Server extProc = extProcBuilder.build();
        try {
            health.start();
            extProc.start();
        } catch (IOException | RuntimeException e) {
            health.shutdownNow();
            extProc.shutdownNow();
            watches.shutdownNow();
            throw new IOException("Cannot listen on " + settings.host() + ":" + settings.port() + " (ext_proc) and "
                    + settings.healthPort() + " (gRPC health): " + e.getMessage(), e);
        }
        EppServer server = new EppServer(settings, extProc, health, healthService, watches);
        LOG.info("Endpoint picker for pool {}: ext_proc on {}:{} ({}), gRPC health on {}:{}", settings.pool().key(),
                settings.host(), server.port(), !settings.tls().enabled() ? "plaintext"
                        : settings.tls().certFile().map(f -> "TLS, " + f).orElse("TLS, self-signed certificate"),
                settings.host(), server.healthPort());
        return server;
    }

    /** The PEM files' key and chain, or a certificate made now, as GIE's EPP makes one when given none. */
    private static SslContext tls(EppSettings.Tls tls) throws IOException {
        if (tls.certFile().isPresent() && tls.keyFile().isPresent()) {
            try {
                return GrpcSslContexts.forServer(tls.certFile().get().toFile(), tls.keyFile().get().toFile()).build();
            } catch (IllegalArgumentException e) {
                throw new IOException("Cannot serve TLS with " + tls.certFile().get() + " and " + tls.keyFile().get() + ": "
                        + e.getMessage(), e);
            }
        }
        SelfSignedCertificate self;
        try {
            self = new SelfSignedCertificate("localhost", "EC", 256);
        } catch (CertificateException e) {
            throw new IOException("Cannot make a self-signed certificate for ext_proc: " + e.getMessage(), e);
        }
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(self.key(), self.cert())).build();
        } finally {
            // Netty writes the pair to temporary files; the context holds them in memory.
            self.delete();
        }
    }

    /** The ext_proc port (the one bound when 0 was asked for). */
    public int port() {
        return extProc.getPort();
    }

    public int healthPort() {
        return health.getPort();
    }

    /** Drains, then stops; interrupted while draining, it cancels what is left at once and keeps the interrupt. */
    @Override
    public void close() {
        healthService.shuttingDown();
        extProc.shutdown();
        try {
            if (!extProc.awaitTermination(settings.drainTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.warn("ext_proc streams still open after {} (epp.drain-timeout): cancelling them", settings.drainTimeout());
            }
        } catch (InterruptedException e) {
            LOG.warn("Interrupted while draining ext_proc streams: cancelling them");
            Thread.currentThread().interrupt();
        } finally {
            extProc.shutdownNow();
            health.shutdownNow();
            watches.shutdownNow();
        }
    }
}
