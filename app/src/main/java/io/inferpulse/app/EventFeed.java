package io.inferpulse.app;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What happened in the demo besides the gauges: load spikes and what the notifier's console receiver
 * printed. Both write into {@link #stream()}, and the live view shows the lines under the pool table
 * instead of letting them scroll through its in-place redraw.
 */
final class EventFeed {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final int keep;
    private final Clock clock;
    private final Deque<String> recent = new ArrayDeque<>();
    private final List<String> unseen = new ArrayList<>();
    private final PrintStream stream = new PrintStream(new LineCollector(), true, StandardCharsets.UTF_8);

    /**
     * @param keep  how many of the latest lines {@link #recent()} returns
     * @param clock stamps each line with its time of day
     */
    EventFeed(int keep, Clock clock) {
        this.keep = keep;
        this.clock = clock;
    }

    PrintStream stream() {
        return stream;
    }

    /** The latest lines, oldest first. */
    synchronized List<String> recent() {
        return List.copyOf(recent);
    }

    /** Lines printed since the previous call, oldest first. */
    synchronized List<String> drainUnseen() {
        List<String> lines = List.copyOf(unseen);
        unseen.clear();
        return lines;
    }

    private synchronized void add(String text) {
        String line = TIME.format(clock.instant()) + " " + text;
        recent.addLast(line);
        if (recent.size() > keep) {
            recent.removeFirst();
        }
        unseen.add(line);
    }

    private final class LineCollector extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
