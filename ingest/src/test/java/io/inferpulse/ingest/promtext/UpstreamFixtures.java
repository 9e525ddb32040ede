package io.inferpulse.ingest.promtext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files copied verbatim from public projects into {@code src/test/resources/fixtures}; its
 * README.md names each file's repository, commit and path.
 */
final class UpstreamFixtures {

    private UpstreamFixtures() {
    }

    /** A directory, not single resources: the golden-file test takes whatever files upstream had. */
    static Path dir() {
        URL url = UpstreamFixtures.class.getResource("/fixtures");
        if (url == null) {
            throw new IllegalStateException("no fixtures/ directory on the test classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String relative) {
        Path file = dir().resolve(relative);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("missing fixture " + file);
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
