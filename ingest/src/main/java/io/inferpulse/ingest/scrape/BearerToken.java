package io.inferpulse.ingest.scrape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bearer token kept in a file that may be replaced while ingest runs. Kubernetes rotates a
 * projected service-account token by writing a new directory and swapping a symlink, so the file
 * read through the link gets a new identity and modification time; either change triggers a
 * re-read. The file is looked at no more than once per {@code recheck}, not per request: a
 * thousand targets scraped every second would otherwise stat it a thousand times a second. A
 * request made between a rotation and the next check still carries the old token, which the API
 * server keeps accepting for a while after issuing a new one.
 *
 * <p>The token itself never reaches a log or an exception message.
 */
final class BearerToken {
    private static final Logger LOG = LoggerFactory.getLogger(BearerToken.class);

    /** The file as last seen; {@code token} is null while it cannot be read. */
    private record State(String token, Object fileKey, FileTime modified, long size, long checkedAtNanos, String problem) {
    }

    private final Path file;
    private final Duration recheck;
    private final LongSupplier nanoTime;
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile State state;

    BearerToken(Path file, Duration recheck, LongSupplier nanoTime) {
        this.file = Objects.requireNonNull(file, "file");
        this.recheck = recheck;
        this.nanoTime = nanoTime;
        this.state = read(null, nanoTime.getAsLong());
    }

    /** The current token, or empty when the file cannot be read or holds only whitespace. */
    Optional<String> token() {
        State current = state;
        long now = nanoTime.getAsLong();
        // Whoever finds the check due does it; the others go on with the token they have rather than wait.
        if (now - current.checkedAtNanos() >= recheck.toNanos() && refreshing.tryLock()) {
            try {
                current = state = read(state, now);
            } finally {
                refreshing.unlock();
            }
        }
        return Optional.ofNullable(current.token());
    }

    Path file() {
        return file;
    }

    private State read(State previous, long now) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (previous != null && previous.token() != null && Objects.equals(attributes.fileKey(), previous.fileKey())
                    && attributes.lastModifiedTime().equals(previous.modified()) && attributes.size() == previous.size()) {
                return new State(previous.token(), previous.fileKey(), previous.modified(), previous.size(), now, null);
            }
            // Secrets mounted from YAML often end in a newline that is not part of the token.
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                return problem(previous, now, "is empty");
            }
            if (previous != null && previous.token() != null) {
                LOG.info("Bearer token file {} changed; scrapes now send the new token", file);
            } else if (previous != null) {
                LOG.info("Bearer token file {} is readable again", file);
            }
            return new State(token, attributes.fileKey(), attributes.lastModifiedTime(), attributes.size(), now, null);
        } catch (IOException | RuntimeException e) {
            // The exception names the file and the failure, never its content.
            return problem(previous, now, "cannot be read: " + e);
        }
    }

    private State problem(State previous, long now, String problem) {
        if (previous == null || !problem.equals(previous.problem())) {
            LOG.warn("Bearer token file {} {}; scrapes that need it fail as auth errors until it is fixed", file, problem);
        }
        return new State(null, null, null, -1, now, problem);
    }
}
