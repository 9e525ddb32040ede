package io.inferpulse.streams.rules;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** Alertmanager's label-set fingerprint, so alerts we emit deduplicate with ones Prometheus would send. */
public final class Fingerprints {

    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    private static final byte SEPARATOR = (byte) 0xff;

    private Fingerprints() {
    }

    /** FNV-1a 64 over the names in sorted order, each name then value followed by 0xff; 16 lower-case hex digits. */
    public static String of(Map<String, String> labels) {
        long hash = OFFSET_BASIS;
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            hash = add(hash, e.getKey());
            hash = add(hash, e.getValue());
        }
        return String.format("%016x", hash);
    }

    private static long add(long hash, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= PRIME;
        }
        hash ^= SEPARATOR & 0xff;
        return hash * PRIME;
    }
}
