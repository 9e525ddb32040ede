package io.inferpulse.schemas.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * How to reach a schema registry: its base URLs (tried in order when one cannot be reached),
 * credentials, and the time-out and retry budget of each call. Read from serde configs with
 * Confluent's property names, so a Confluent client configuration works unchanged.
 *
 * @param urls base URLs, each possibly with a path (Apicurio serves the API under {@code /apis/ccompat/v7})
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth
 * @param bearerToken a static token sent as {@code Authorization: Bearer}
 * @param requestTimeout time-out of one HTTP request, and of establishing its connection
 * @param maxAttempts attempts of one call, the first included, before a retriable failure is given up
 * @param initialBackoff pause before the first retry; doubled after each retry
 * @param maxBackoff upper bound of that pause
 */
public record RegistryClientConfig(
        List<URI> urls,
        Optional<String> basicAuthUserInfo,
        Optional<String> bearerToken,
        Duration requestTimeout,
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff) {

    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String RETRY_MAX_ATTEMPTS = "schema.registry.retry.max.attempts";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";

    private static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final int DEFAULT_MAX_ATTEMPTS = 5;
    private static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    private static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);

    public RegistryClientConfig {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("At least one schema registry URL is needed");
        }
        if (basicAuthUserInfo.isPresent() && bearerToken.isPresent()) {
            throw new IllegalArgumentException("Configure basic or bearer authentication, not both");
        }
        if (!isPositive(requestTimeout) || !isPositive(initialBackoff) || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("Time-out and backoff must be positive, and the maximum backoff at least the initial one");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
    }

    /** No credentials, default time-out and retries. */
    public static RegistryClientConfig of(URI... urls) {
        return new RegistryClientConfig(List.of(urls), Optional.empty(), Optional.empty(),
                DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF);
    }

    public RegistryClientConfig withRetries(int attempts, Duration initial, Duration max) {
        return new RegistryClientConfig(urls, basicAuthUserInfo, bearerToken, requestTimeout, attempts, initial, max);
    }

    public RegistryClientConfig withRequestTimeout(Duration timeout) {
        return new RegistryClientConfig(urls, basicAuthUserInfo, bearerToken, timeout, maxAttempts, initialBackoff, maxBackoff);
    }

    /**
     * Reads the registry settings out of Kafka serializer / deserializer configs.
     *
     * @throws ConfigException naming the property whose value is missing or wrong
     */
    public static RegistryClientConfig fromSerdeConfig(Map<String, ?> configs) {
        List<URI> withUserInfo = urls(configs);
        // Credentials in a URL must never reach a log line, so they leave the URL here whatever the source.
        List<URI> urls = withUserInfo.stream().map(RegistryClientConfig::withoutUserInfo).toList();
        Optional<String> basic = basicAuth(configs, withUserInfo);
        Optional<String> bearer = bearerAuth(configs);
        if (basic.isPresent() && bearer.isPresent()) {
            throw new ConfigException(BEARER_AUTH_TOKEN, "(hidden)",
                    "basic and bearer authentication are both configured; remove one of them");
        }
        Duration initialBackoff = millis(configs, RETRY_BACKOFF_MS, DEFAULT_INITIAL_BACKOFF);
        Duration maxBackoff = millis(configs, RETRY_BACKOFF_MAX_MS, max(DEFAULT_MAX_BACKOFF, initialBackoff));
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new ConfigException(RETRY_BACKOFF_MAX_MS, maxBackoff.toMillis(),
                    "must not be below " + RETRY_BACKOFF_MS + " (" + initialBackoff.toMillis() + ")");
        }
        return new RegistryClientConfig(urls, basic, bearer,
                millis(configs, REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT),
                positiveInt(configs, RETRY_MAX_ATTEMPTS).orElse(DEFAULT_MAX_ATTEMPTS),
                initialBackoff, maxBackoff);
    }

    /** Hides the credentials, which a record would otherwise print. */
    @Override
    public String toString() {
        return "RegistryClientConfig[urls=" + urls
                + ", auth=" + (basicAuthUserInfo.isPresent() ? "basic" : bearerToken.isPresent() ? "bearer" : "none")
                + ", requestTimeout=" + requestTimeout + ", maxAttempts=" + maxAttempts
                + ", backoff=" + initialBackoff + ".." + maxBackoff + "]";
    }

    private static List<URI> urls(Map<String, ?> configs) {
        Object value = configs.get(URL);
        List<String> items = switch (value) {
            case null -> throw missing(URL, "");
            case List<?> list -> list.stream().map(String::valueOf).toList();
            default -> Arrays.asList(String.valueOf(value).split(","));
        };
        List<URI> urls = new ArrayList<>();
        for (String item : items) {
            String trimmed = item.strip();
            if (!trimmed.isEmpty()) {
                urls.add(url(trimmed));
            }
        }
        if (urls.isEmpty()) {
            throw missing(URL, "");
        }
        if (urls.size() > 1 && urls.stream().anyMatch(u -> "mock".equals(u.getScheme()))) {
            throw new ConfigException(URL, value, "a mock:// URL cannot be combined with other URLs");
        }
        return List.copyOf(urls);
    }

    private static URI url(String text) {
        try {
            URI uri = new URI(text.replaceAll("/+$", ""));
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean valid = switch (scheme) {
                case "http", "https" -> uri.getHost() != null;
                case "mock" -> uri.getRawAuthority() != null;
                default -> false;
            };
            if (!valid || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new ConfigException(URL, redact(text),
                        "expected http://host:port[/path], https://host:port[/path] or mock://scope");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(URL, redact(text), "not a URL: " + e.getReason());
        }
    }

    private static Optional<String> basicAuth(Map<String, ?> configs, List<URI> urls) {
        // Confluent's default source is URL: credentials written into the registry URL.
        String source = string(configs, BASIC_AUTH_CREDENTIALS_SOURCE).orElse("URL").toUpperCase(Locale.ROOT);
        return switch (source) {
            case "URL" -> urls.stream().map(URI::getRawUserInfo).filter(u -> u != null && !u.isEmpty())
                    .findFirst().map(u -> URLDecoder.decode(u, StandardCharsets.UTF_8));
            case "USER_INFO" -> {
                String userInfo = string(configs, BASIC_AUTH_USER_INFO).orElseThrow(() ->
                        missing(BASIC_AUTH_USER_INFO, " when " + BASIC_AUTH_CREDENTIALS_SOURCE + " is USER_INFO"));
                if (!userInfo.contains(":")) {
                    throw new ConfigException(BASIC_AUTH_USER_INFO, "(hidden)", "expected user:password");
                }
                yield Optional.of(userInfo);
            }
            default -> throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, source, "supported: URL, USER_INFO");
        };
    }

    private static Optional<String> bearerAuth(Map<String, ?> configs) {
        Optional<String> source = string(configs, BEARER_AUTH_CREDENTIALS_SOURCE).map(s -> s.toUpperCase(Locale.ROOT));
        if (source.isPresent() && !source.get().equals("STATIC_TOKEN")) {
            throw new ConfigException(BEARER_AUTH_CREDENTIALS_SOURCE, source.get(), "supported: STATIC_TOKEN");
        }
        Optional<String> token = string(configs, BEARER_AUTH_TOKEN);
        if (source.isPresent() && token.isEmpty()) {
            throw missing(BEARER_AUTH_TOKEN, " when " + BEARER_AUTH_CREDENTIALS_SOURCE + " is STATIC_TOKEN");
        }
        return token;
    }

    private static Duration millis(Map<String, ?> configs, String key, Duration fallback) {
        return positiveInt(configs, key).map(Duration::ofMillis).orElse(fallback);
    }

    private static Optional<Integer> positiveInt(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            long parsed = value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value).strip());
            if (parsed >= 1 && parsed <= Integer.MAX_VALUE) {
                return Optional.of((int) parsed);
            }
        } catch (NumberFormatException e) {
            // reported below, with the property's name
        }
        throw new ConfigException(key, value, "must be a positive integer");
    }

    private static Optional<String> string(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        return value == null ? Optional.empty() : Optional.of(String.valueOf(value).strip()).filter(s -> !s.isEmpty());
    }

    private static ConfigException missing(String key, String condition) {
        return new ConfigException("Missing required configuration \"" + key + "\"" + condition);
    }

    private static URI withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        return URI.create(uri.toString().replace(uri.getRawUserInfo() + "@", ""));
    }

    private static String redact(String url) {
        return url.replaceAll("//[^/@]*@", "//(hidden)@");
    }

    private static boolean isPositive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
