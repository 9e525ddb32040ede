package io.inferpulse.ingest.promtext;

/**
 * Reuses one String instance for repeated text within a single parse. An exposition repeats the
 * same metric names, label names and label values (model names, {@code le} bounds) on many lines,
 * so this removes most per-sample String allocation. Direct-mapped (a colliding entry is simply
 * replaced) because a miss costs only an allocation, and a lookup must stay cheaper than that.
 * Not thread-safe: one instance per parse.
 */
final class StringCache {

    private static final int SIZE = 1024;
    /** Longer text is rarely repeated (help text, long label values), so not worth caching. */
    private static final int MAX_CACHED_LENGTH = 64;

    private final String[] entries = new String[SIZE];

    String get(char[] chars, int from, int to) {
        int length = to - from;
        if (length > MAX_CACHED_LENGTH) {
            return new String(chars, from, length);
        }
        int hash = 0;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + chars[i];
        }
        int slot = (hash ^ (hash >>> 16)) & (SIZE - 1);
        String cached = entries[slot];
        if (cached != null && cached.length() == length && sameChars(cached, chars, from)) {
            return cached;
        }
        String created = new String(chars, from, length);
        entries[slot] = created;
        return created;
    }

    private static boolean sameChars(String cached, char[] chars, int from) {
        for (int i = 0; i < cached.length(); i++) {
            if (cached.charAt(i) != chars[from + i]) {
                return false;
            }
        }
        return true;
    }
}
