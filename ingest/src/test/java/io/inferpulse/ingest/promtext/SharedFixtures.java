package io.inferpulse.ingest.promtext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the fixtures copied from public projects into {@code shared/fixtures} (see its README
 * for each file's source). They live beside the repository, not in it: {@code /work/shared} next
 * to {@code /work/main} locally, {@code shared/} next to the clone in CI.
 */
final class SharedFixtures {

    /** Overrides the search: the {@code shared} directory, containing {@code fixtures/}. */
    static final String SHARED_DIR_PROPERTY = "inferpulse.shared.dir";

    private SharedFixtures() {
    }

    static Path dir() {
        String configured = System.getProperty(SHARED_DIR_PROPERTY);
        if (configured != null) {
            Path fixtures = Path.of(configured, "fixtures");
            if (!Files.isDirectory(fixtures)) {
                throw new IllegalStateException(SHARED_DIR_PROPERTY + "=" + configured + " has no fixtures/ directory");
            }
            return fixtures;
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path fixtures = dir.resolve("shared").resolve("fixtures");
            if (Files.isDirectory(fixtures)) {
                return fixtures;
            }
        }
        throw new IllegalStateException("no shared/fixtures directory in " + start + " or any parent;"
                + " set -D" + SHARED_DIR_PROPERTY + "=<path to shared>");
    }

    static Path path(String relative) {
        Path file = dir().resolve(relative);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("missing fixture " + file);
        }
        return file;
    }

    static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
