package io.inferpulse.ingest.receive;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.inferpulse.ingest.IngestMetrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives access logs over HTTP as log shippers send them, one virtual thread per request.
 *
 * <p>{@code POST /v1/logs} (or {@code POST /}), body newline-delimited records or a JSON array
 * of records, optionally {@code Content-Encoding: gzip}; how a body becomes lines, including the
 * {@code log} / {@code message} envelopes shippers put around unparsed lines, is described in
 * {@link ShippedRecords}. Shipper settings that work:
 * <pre>
 * # Fluent Bit
 * [OUTPUT]
 *     name   http
 *     host   ingest.inferpulse.svc
 *     port   9880
 *     uri    /v1/logs
 *     format json_lines
 *     compress gzip
 *
 * # Vector
 * [sinks.inferpulse]
 * type = "http"
 * uri = "http://ingest.inferpulse.svc:9880/v1/logs"
 * encoding.codec = "json"
 * framing.method = "newline_delimited"
 * compression = "gzip"
 * </pre>
 *
 * <p>Answers, which shippers act on:
 * <ul>
 *   <li>200 with {@code {"published":N,"rejected":M}} only once every line of the body is
 *       acknowledged by Kafka, as an access-log record or as a dead letter with its reason;
 *   <li>503 with {@code Retry-After} when that does not happen within the acknowledgement timeout
 *       (schema registry or broker down), or when too many requests are already in flight: the
 *       shipper keeps the batch and sends it again;
 *   <li>413 for a body over the limit (compressed or not); 400 for a gzip body that cannot be
 *       decompressed, after the whole body is acknowledged as one dead letter; 415 for another
 *       content encoding; 404 / 405 for other paths and methods.
 * </ul>
 *
 * <p>Delivery is at least once. A 503 leaves lines that were already handed to the producer on
 * their way, and the shipper's retry sends them again; lines not yet handed over (all of them
 * while the registry is unreachable, since the schema cannot be resolved) are not written, so the
 * retry delivers them once. A line is duplicated only when the broker acknowledges later than the
 * timeout, or when the shipper times out before we answer: keep its timeout above
 * {@link Settings#ackTimeout} (Vector's {@code request.timeout_secs} defaults to 60 s).
 *
 * <p>Memory is bounded by {@link Settings#maxConcurrentRequests} bodies of at most
 * {@link Settings#maxBodyBytes} each (decompressed) and their lines.
 */
public final class HttpLogReceiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpLogReceiver.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String PATH = "/v1/logs";

    /**
     * @param host address to listen on ({@code 127.0.0.1}; {@code 0.0.0.0} in a pod)
     * @param port port to listen on; 0 for a free one
     * @param maxBodyBytes larger bodies are refused with 413, before or after decompression
     * @param maxConcurrentRequests beyond it requests are answered 503 at once
     * @param ackTimeout how long a request waits for Kafka before it is answered 503
     * @param envelopeFields record fields that hold a shipped line ({@code log}, {@code message}); empty: none
     */
    public record Settings(String host, int port, int maxBodyBytes, int maxConcurrentRequests, Duration ackTimeout,
                           List<String> envelopeFields) {
        public static final int DEFAULT_PORT = 9880;

        public Settings {
            envelopeFields = List.copyOf(envelopeFields);
            if (port < 0 || port > 65535 || maxBodyBytes < 1024 || maxConcurrentRequests < 1
                    || ackTimeout.isNegative() || ackTimeout.isZero()) {
                throw new IllegalArgumentException("Invalid HTTP receiver settings: " + this);
            }
        }

        /** 127.0.0.1:9880, 16 MiB bodies (Vector's default batch is 10 MB), 8 requests at once, 10 s to acknowledge. */
        public static Settings defaults() {
            return new Settings("127.0.0.1", DEFAULT_PORT, 16 * 1024 * 1024, 8, Duration.ofSeconds(10), List.of("log", "message"));
        }

        public Settings withPort(int listenPort) {
            return new Settings(host, listenPort, maxBodyBytes, maxConcurrentRequests, ackTimeout, envelopeFields);
        }
    }

    private record Answer(int status, Map<String, Object> body, boolean retryLater) {
        static Answer error(int status, String message, boolean retryLater) {
            return new Answer(status, Map.of("error", message), retryLater);
        }
    }

    private final Settings settings;
    private final AccessLogPipeline pipeline;
    private final ShippedRecords records;
    private final IngestMetrics metrics;
    private final Semaphore inFlight;
    private final HttpServer server;
    private final ExecutorService executor;

    private HttpLogReceiver(Settings settings, AccessLogPipeline pipeline, IngestMetrics metrics) throws IOException {
        this.settings = settings;
        this.pipeline = pipeline;
        this.records = new ShippedRecords(settings.envelopeFields(), pipeline.settings().maxLineBytes());
        this.metrics = metrics;
        this.inFlight = new Semaphore(settings.maxConcurrentRequests());
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Listens and serves until closed. */
    public static HttpLogReceiver start(Settings settings, AccessLogPipeline pipeline, IngestMetrics metrics) {
        try {
            HttpLogReceiver receiver = new HttpLogReceiver(settings, pipeline, metrics);
            receiver.server.start();
            LOG.info("Access-log HTTP receiver listening on {}", receiver.uri());
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not listen on " + settings.host() + ":" + settings.port(), e);
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Where shippers post: {@code http://host:port/v1/logs}. */
    public URI uri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + PATH);
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Answer answer;
            if (!path.equals("/") && !path.equals(PATH)) {
                answer = Answer.error(404, "post access logs to " + PATH, false);
            } else if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                answer = Answer.error(405, "only POST", false);
            } else if (!inFlight.tryAcquire()) {
                answer = Answer.error(503, "too many requests in flight", true);
            } else {
                try {
                    answer = receive(exchange);
                } catch (RuntimeException e) {
                    LOG.error("Access-log request from {} failed", exchange.getRemoteAddress(), e);
                    answer = Answer.error(500, "internal error: " + e, true);
                } finally {
                    inFlight.release();
                }
            }
            drain(exchange.getRequestBody());
            respond(exchange, answer);
        } catch (IOException e) {
            LOG.debug("Access-log client {} went away: {}", exchange.getRemoteAddress(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Answer receive(HttpExchange exchange) throws IOException, InterruptedException {
        String header = exchange.getRequestHeaders().getFirst("Content-Encoding");
        String encoding = header == null ? "identity" : header.strip().toLowerCase(Locale.ROOT);
        boolean gzip = encoding.equals("gzip") || encoding.equals("x-gzip");
        if (!gzip && !encoding.equals("identity")) {
            return Answer.error(415, "content encoding " + encoding + " is not supported; use gzip or none", false);
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.strip().length() < 19 && length.strip().matches("[0-9]+")
                && Long.parseLong(length.strip()) > settings.maxBodyBytes()) {
            return tooLarge();
        }
        byte[] body = readAtMost(exchange.getRequestBody(), settings.maxBodyBytes());
        if (body == null) {
            return tooLarge();
        }
        String client = exchange.getRemoteAddress().getAddress().getHostAddress();
        String source = "http:" + client;
        Map<String, String> attributes = Map.of("remote", exchange.getRemoteAddress().toString(), "path", exchange.getRequestURI().getPath());
        if (gzip) {
            try {
                body = readAtMost(new GZIPInputStream(new ByteArrayInputStream(body)), settings.maxBodyBytes());
            } catch (IOException e) {
                return invalidBody(new RawLine(body, source, attributes), "invalid gzip body: " + e.getMessage());
            }
            if (body == null) {
                return tooLarge();
            }
        }
        AccessLogPipeline.Batch batch = pipeline.prepare(records.split(body, source, attributes));
        try {
            AccessLogPipeline.BatchResult result = pipeline.publish(batch, settings.ackTimeout());
            return new Answer(200, Map.of("published", result.published(), "rejected", result.rejected()), false);
        } catch (NotAcknowledgedException e) {
            LOG.warn("Answering 503 to {}: {}", client, e.getMessage());
            return Answer.error(503, e.getMessage(), true);
        }
    }

    private Answer invalidBody(RawLine body, String reason) throws InterruptedException {
        try {
            pipeline.publish(pipeline.reject(body, Rejection.INVALID_BODY, reason), settings.ackTimeout());
            return Answer.error(400, reason + "; the body was sent to the dead-letter topic", false);
        } catch (NotAcknowledgedException e) {
            return Answer.error(503, e.getMessage(), true);
        }
    }

    private Answer tooLarge() {
        return Answer.error(413, "body over " + settings.maxBodyBytes() + " bytes; send smaller batches", false);
    }

    /**
     * Reads and drops what is left of the request body, up to a bound, before answering: a server
     * that closes a connection with request bytes unread makes TCP reset it, and the client never
     * sees the answer (a 413 or 415 to a large body). Beyond the bound the connection is closed.
     */
    private void drain(InputStream rest) throws IOException {
        long limit = 4L * settings.maxBodyBytes();
        byte[] sink = new byte[64 * 1024];
        int n;
        for (long dropped = 0; dropped < limit && (n = rest.read(sink)) > 0; ) {
            dropped += n;
        }
    }

    private void respond(HttpExchange exchange, Answer answer) throws IOException {
        metrics.httpAnswered(answer.status());
        byte[] bytes = JSON.writeValueAsBytes(answer.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (answer.retryLater()) {
            exchange.getResponseHeaders().set("Retry-After", "1");
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The stream's bytes, or null when there are more than {@code limit}. */
    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 64 * 1024));
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = in.read(chunk)) > 0) {
            if (out.size() + n > limit) {
                return null;
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * Stops listening, lets requests in flight finish (each waits at most the acknowledgement
     * timeout), and releases the port.
     */
    @Override
    public void close() {
        server.stop((int) Math.min(Integer.MAX_VALUE, settings.ackTimeout().toSeconds() + 1));
        executor.shutdown();
        try {
            if (!executor.awaitTermination(settings.ackTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
