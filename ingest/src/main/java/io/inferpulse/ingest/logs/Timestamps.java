package io.inferpulse.ingest.logs;

import java.time.DateTimeException;
import java.time.Instant;

/** RFC 3339 times, as Cloud Logging and Envoy write them. */
final class Timestamps {

    private Timestamps() {
    }

    /** Accepts any fraction of a second (Cloud Logging writes up to nine digits) and any UTC offset. */
    static Instant parse(String text, String label) {
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw new AccessLogParseException(label + ": " + Lines.quote(text)
                    + " is not an RFC 3339 time like 2024-05-01T12:00:00.123Z");
        }
    }
}
