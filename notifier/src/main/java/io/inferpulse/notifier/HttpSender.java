package io.inferpulse.notifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** POSTs JSON for the HTTP integrations; failures name the integration, never the (secret) URL. */
final class HttpSender {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4096;

    private final HttpClient client;
    private final Duration timeout;
    private final Clock clock;

    HttpSender(Duration timeout, Clock clock) {
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.timeout = timeout;
        this.clock = clock;
    }

    Integration.Response post(String integration, URI url, JsonNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "inferpulse-notifier")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // The JDK's messages can quote the URI, which for Slack and webhooks is the secret.
            throw new IOException(integration + ": request failed: " + e.getClass().getSimpleName());
        }
        String answer = response.body() == null ? "" : response.body();
        return new Integration.Response(response.statusCode(),
                answer.length() > MAX_BODY ? answer.substring(0, MAX_BODY) : answer,
                response.headers().firstValue("Retry-After").flatMap(this::retryAfter));
    }

    /** Retry-After is delay-seconds or an HTTP date (RFC 9110 section 10.2.3). */
    Optional<Duration> retryAfter(String value) {
        String v = value.strip();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(clock.instant(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
