package io.inferpulse.ingest.receive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferpulse.schemas.Topics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * How far a file tailer got, as committed with the lines before it: the value of its record in
 * {@value Topics#INGEST_OFFSETS}, as JSON.
 *
 * <p>A file is recognised by its identity ({@code fileKey}: device and inode on Linux) and by a
 * fingerprint, the CRC-32 of its first bytes up to {@value #FINGERPRINT_BYTES} (those before the
 * offset, which were read and do not change). The identity finds a file after a rename; the
 * fingerprint tells a reused inode from the original, notices a truncated file that has grown
 * past the offset again, and finds the copy {@code copytruncate} left behind.
 *
 * @param path where the file was when the checkpoint was taken, for operators
 * @param offset byte offset of the first line not yet published
 */
record Checkpoint(String path, String fileKey, long offset, int fingerprintLength, long fingerprint) {
    static final int FINGERPRINT_BYTES = 1024;
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a checkpoint as JSON", e);
        }
    }

    static Checkpoint fromJson(String json) {
        try {
            return JSON.readValue(json, Checkpoint.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a tailer checkpoint: " + json, e);
        }
    }

    /** CRC-32 of the file's first {@code length} bytes, or -1 when it is shorter. */
    static long fingerprint(FileChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) < 0) {
                return -1;
            }
        }
        CRC32 crc = new CRC32();
        crc.update(buffer.flip());
        return crc.getValue();
    }

    /** True when the file has this checkpoint's first bytes and reaches its offset. */
    boolean matches(FileChannel channel) throws IOException {
        return channel.size() >= offset && fingerprint(channel, fingerprintLength) == fingerprint;
    }
}
