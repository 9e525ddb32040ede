package io.inferpulse.notifier;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Which input records are still owed a delivery, so that the consumer commits only past records
 * whose every notification was delivered or dead-lettered. Each record gets a {@link Ticket}; a
 * group holding the alert and each notification carrying it hold the ticket; the committable
 * offset of a partition is its lowest held record, or one past the last record seen.
 */
final class OffsetTracker {
    private final Map<TopicPartition, TreeMap<Long, Ticket>> owed = new HashMap<>();
    private final Map<TopicPartition, Long> next = new HashMap<>();

    /** A reference count on one record, shared by whatever still has to deliver it. */
    final class Ticket {
        private final TopicPartition partition;
        private final long offset;
        private int holds;

        private Ticket(TopicPartition partition, long offset) {
            this.partition = partition;
            this.offset = offset;
        }

        void hold() {
            synchronized (OffsetTracker.this) {
                if (holds == 0) {
                    throw new IllegalStateException("Record " + partition + "@" + offset + " was already released");
                }
                holds++;
            }
        }

        void release() {
            synchronized (OffsetTracker.this) {
                if (holds == 0) {
                    throw new IllegalStateException("Record " + partition + "@" + offset + " released more often than held");
                }
                if (--holds == 0) {
                    TreeMap<Long, Ticket> p = owed.get(partition);
                    if (p != null && p.get(offset) == this) {
                        p.remove(offset);
                    }
                }
            }
        }

        @Override
        public String toString() {
            return partition + "@" + offset;
        }
    }

    /** A ticket for a record just polled, held once by the caller, who releases it when done handing it on. */
    synchronized Ticket track(TopicPartition partition, long offset) {
        Ticket t = new Ticket(partition, offset);
        t.holds = 1;
        owed.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, t);
        next.merge(partition, offset + 1, Math::max);
        return t;
    }

    /** The consumer's position moved to {@code next} (past records or transaction markers): nothing before it is new. */
    synchronized void advance(TopicPartition partition, long next) {
        this.next.merge(partition, next, Math::max);
    }

    /** The offset to commit per partition: the first record still owed, or the position reached. */
    synchronized Map<TopicPartition, Long> committable() {
        Map<TopicPartition, Long> out = new HashMap<>();
        next.forEach((p, n) -> {
            TreeMap<Long, Ticket> o = owed.get(p);
            out.put(p, o == null || o.isEmpty() ? n : o.firstKey());
        });
        return out;
    }

    /** Partitions taken away by a rebalance: whatever they still owe is re-read by their new owner. */
    synchronized void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(p -> {
            owed.remove(p);
            next.remove(p);
        });
    }
}
