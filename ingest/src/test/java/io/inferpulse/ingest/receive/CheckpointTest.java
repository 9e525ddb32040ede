package io.inferpulse.ingest.receive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void shouldSurviveItsJsonForm() {
        Checkpoint checkpoint = new Checkpoint("/var/log/a.log", "(dev=803,ino=42)", 1234, 1024, 0xCAFEL);
        assertThat(Checkpoint.fromJson(checkpoint.toJson())).isEqualTo(checkpoint);
    }

    @Test
    void shouldMatchOnlyAFileWithTheSameFirstBytesThatReachesItsOffset() throws IOException {
        // given a checkpoint taken 6 bytes into a file
        Path file = write("a.log", "first\nsecond\n");
        Checkpoint checkpoint;
        try (FileChannel channel = FileChannel.open(file)) {
            checkpoint = new Checkpoint(file.toString(), "k", 6, 6, Checkpoint.fingerprint(channel, 6));
        }

        // then the file and an exact copy match; other content and a shorter file do not
        assertThat(matches(checkpoint, file)).isTrue();
        assertThat(matches(checkpoint, write("copy.log", "first\nsecond\n"))).isTrue();
        assertThat(matches(checkpoint, write("other.log", "other\nsecond\n"))).isFalse();
        assertThat(matches(checkpoint, write("short.log", "firs"))).isFalse();
    }

    private boolean matches(Checkpoint checkpoint, Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return checkpoint.matches(channel);
        }
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }
}
