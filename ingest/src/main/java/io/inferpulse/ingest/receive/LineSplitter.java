package io.inferpulse.ingest.receive;

import java.util.Arrays;

/**
 * Cuts a byte stream into lines at {@code \n} (dropping a {@code \r} before it), across the
 * chunks it is fed in. It holds at most {@code maxHeldBytes} of one line, so an endless line
 * costs bounded memory: the rest is counted, not kept. It tracks the stream offset at which each
 * line ends, which is what the file tailer checkpoints.
 *
 * <p>Not thread-safe: one reader feeds it.
 */
final class LineSplitter {
    /** Receives each complete line. */
    interface Sink {
        /**
         * @param bytes the line without its line break, or its first bytes when {@code size} is larger
         * @param size the line's full length in bytes
         * @param endOffset stream offset just past the line's {@code \n}
         * @return false to stop after this line; the splitter then consumes nothing further
         */
        boolean line(byte[] bytes, long size, long endOffset);
    }

    private final int maxHeldBytes;
    private byte[] held = new byte[1024];
    private int heldLength;
    private long lineSize;
    private long offset;

    LineSplitter(int maxHeldBytes, long startOffset) {
        if (maxHeldBytes < 1) {
            throw new IllegalArgumentException("maxHeldBytes must be positive, got " + maxHeldBytes);
        }
        this.maxHeldBytes = maxHeldBytes;
        this.offset = startOffset;
    }

    /** Stream offset of the next byte to feed. */
    long offset() {
        return offset;
    }

    /** True when bytes of an unfinished line are waiting for their {@code \n}. */
    boolean hasPartial() {
        return lineSize > 0;
    }

    /**
     * Feeds {@code data[off, off + len)} and hands every line it completes to the sink.
     *
     * @return bytes consumed: {@code len}, or fewer when the sink asked to stop
     */
    int feed(byte[] data, int off, int len, Sink sink) {
        int end = off + len;
        int i = off;
        while (i < end) {
            int newline = indexOfNewline(data, i, end);
            if (newline < 0) {
                hold(data, i, end - i);
                offset += end - i;
                return len;
            }
            offset += newline - i + 1;
            boolean more;
            if (lineSize == 0) {
                // the whole line is in this chunk: one copy instead of two
                int length = (newline > i && data[newline - 1] == '\r' ? newline - 1 : newline) - i;
                more = sink.line(Arrays.copyOfRange(data, i, i + Math.min(length, maxHeldBytes)), length, offset);
            } else {
                hold(data, i, newline - i);
                more = emit(sink);
            }
            i = newline + 1;
            if (!more) {
                return i - off;
            }
        }
        return len;
    }

    /** Hands over the unfinished line as a last line, when its stream has ended; false if the sink said stop. */
    boolean finish(Sink sink) {
        return lineSize == 0 || emit(sink);
    }

    /** Forgets any unfinished line and continues from the given offset. */
    void reset(long startOffset) {
        heldLength = 0;
        lineSize = 0;
        offset = startOffset;
    }

    /** True for a line of nothing but spaces and tabs: no record, so receivers skip it. */
    static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private boolean emit(Sink sink) {
        int length = heldLength;
        long size = lineSize;
        if (size == length && length > 0 && held[length - 1] == '\r') {
            length--;
            size--;
        }
        byte[] line = Arrays.copyOf(held, length);
        heldLength = 0;
        lineSize = 0;
        return sink.line(line, size, offset);
    }

    private void hold(byte[] data, int from, int count) {
        lineSize += count;
        int keep = Math.min(count, maxHeldBytes - heldLength);
        if (keep <= 0) {
            return;
        }
        if (heldLength + keep > held.length) {
            held = Arrays.copyOf(held, Math.min(maxHeldBytes, Math.max(held.length * 2, heldLength + keep)));
        }
        System.arraycopy(data, from, held, heldLength, keep);
        heldLength += keep;
    }

    private static int indexOfNewline(byte[] data, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
