package io.inferpulse.app;

import io.inferpulse.avro.PoolStats;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.schemas.Topic;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * A live table of the pool-stats topic for the demo: one line per pool, redrawn in place on a
 * terminal, or printed as a timestamped block when the output is a file or a pipe; under it, the
 * demo's events: load spikes and the notifications the console receiver got.
 */
final class PoolView implements AutoCloseable {
    private static final int TERMINAL_WIDTH = 150;

    private final Map<String, PoolStats> latest = new ConcurrentHashMap<>();
    private final TopicTail<String, PoolStats> tail;
    private final Clock clock;
    private int linesDrawn;

    PoolView(Map<String, Object> clientConfig, Topic<String, PoolStats> topic, Clock clock) {
        this.clock = clock;
        this.tail = TopicTail.start(clientConfig, topic, TopicTail.From.BEGINNING, r -> {
            if (r.value() != null) {
                latest.put(r.key(), r.value());
            }
        });
    }

    /**
     * Draws the table and the routing comparison under it; {@code load} gives the simulated arrival rate of a pool, for context. On a
     * terminal the latest events stay under the table; elsewhere each is printed once.
     */
    void render(PrintWriter out, boolean terminal, ToDoubleFunction<String> load, String[] routing, EventFeed events) {
        Map<String, PoolStats> pools = new TreeMap<>(latest);
        StringBuilder b = new StringBuilder();
        if (terminal && linesDrawn > 0) {
            b.append("\033[").append(linesDrawn).append('F');
        } else if (!terminal) {
            b.append("-- ").append(clock.instant()).append('\n');
        }
        String header = String.format("%-28s %6s %9s %11s %13s %12s %11s %7s",
                "POOL", "READY", "KV-CACHE", "QUEUE(avg)", "RUNNING(avg)", "QUEUE(sum)", "LOAD(req/s)", "AGE");
        line(b, terminal, header);
        if (pools.isEmpty()) {
            line(b, terminal, "(waiting for the first pool stats...)");
        }
        long now = clock.millis();
        pools.forEach((key, s) -> line(b, terminal, String.format("%-28s %6d %9s %11s %13s %12.0f %11.1f %6.1fs",
                key, s.getReadyPods(),
                s.getAverageKvCacheUtilization() == null ? "-" : String.format("%.1f %%", 100 * s.getAverageKvCacheUtilization()),
                fmt(s.getAverageQueueSize()), fmt(s.getAverageRunningRequests()), s.getTotalQueueSize(),
                load.applyAsDouble(s.getPool()), (now - s.getComputedAt().toEpochMilli()) / 1000.0)));
        line(b, terminal, "");
        for (String text : routing) {
            line(b, terminal, text);
        }
        int notificationLines = 0;
        if (terminal) {
            List<String> recent = events.recent();
            line(b, true, "");
            line(b, true, "EVENTS (load spikes, alert notifications)");
            // A wrapped line would throw off the cursor-up count of the next redraw.
            recent.forEach(n -> line(b, true, n.length() <= TERMINAL_WIDTH ? n : n.substring(0, TERMINAL_WIDTH - 1) + "…"));
            notificationLines = 2 + recent.size();
        } else {
            events.drainUnseen().forEach(n -> line(b, false, n));
        }
        out.print(b);
        out.flush();
        linesDrawn = 1 + Math.max(1, pools.size()) + 1 + routing.length + notificationLines;
    }

    private static void line(StringBuilder b, boolean terminal, String text) {
        b.append(terminal ? "\033[2K" : "").append(text).append('\n');
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format("%.2f", v);
    }

    @Override
    public void close() throws InterruptedException {
        tail.close();
    }
}
