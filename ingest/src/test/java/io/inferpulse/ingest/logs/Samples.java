package io.inferpulse.ingest.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Real-format sample lines under {@code src/test/resources/logs/}. */
final class Samples {

    static final String CLUSTER = "prod-us";

    private Samples() {
    }

    static List<String> lines(String name) {
        try (InputStream in = Samples.class.getResourceAsStream("/logs/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String line(String name, int index) {
        return lines(name).get(index);
    }

    static AccessLogParser parser(String format) {
        return AccessLogFormats.parser(format, AccessLogMapping.defaults(CLUSTER));
    }

    static AccessLogParser parser(String format, Map<String, String> settings) {
        return AccessLogFormats.parser(format, AccessLogMapping.fromSettings(settings, CLUSTER));
    }
}
