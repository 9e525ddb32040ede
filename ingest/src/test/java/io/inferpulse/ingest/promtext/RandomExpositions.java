package io.inferpulse.ingest.promtext;

import io.inferpulse.ingest.promtext.Labels;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Random but well-formed expositions over a vocabulary of real metric and label names, so that a
 * mapping under test meets its own metrics with hostile values and label sets, not just noise it
 * would skip; and random byte mutations of real files. Used by the mapping property tests of
 * several packages. Each run picks a new seed; {@code -Dinferpulse.fuzz.seed=<seed>} replays one.
 */
public final class RandomExpositions {

    public static final long SEED = Long.getLong("inferpulse.fuzz.seed", System.nanoTime());

    private static final String[] LABEL_VALUES = {"", "0", "1", "2", "-1", "waiting", "scheduled", "fraction", "a,b",
        ",", " 3 ", "NaN", "x\"y", "back\\slash", "new\nline", "日本", "GPU-5e8a1c3d", "llm", "pod-1", "2147483648"};

    private RandomExpositions() {
    }

    /** A text exposition of up to {@code maxSamples} samples drawn from the vocabularies. */
    public static String generate(Random random, List<String> metricNames, List<String> labelNames, int maxSamples) {
        StringBuilder text = new StringBuilder();
        int count = random.nextInt(maxSamples + 1);
        for (int s = 0; s < count; s++) {
            String name = random.nextInt(20) == 0 ? "unrelated_metric_" + random.nextInt(3)
                    : metricNames.get(random.nextInt(metricNames.size()));
            if (random.nextInt(4) == 0) {
                text.append("# TYPE ").append(name).append(random.nextBoolean() ? " gauge\n" : " counter\n");
            }
            text.append(name);
            Set<String> names = new LinkedHashSet<>();
            int labelCount = random.nextInt(5);
            for (int l = 0; l < labelCount; l++) {
                names.add(labelNames.get(random.nextInt(labelNames.size())));
            }
            List<String> pairs = new ArrayList<>();
            for (String label : names) {
                pairs.add(label);
                pairs.add(LABEL_VALUES[random.nextInt(LABEL_VALUES.length)]);
            }
            if (!pairs.isEmpty()) {
                text.append(Labels.of(pairs.toArray(String[]::new)));
            }
            text.append(' ').append(value(random)).append('\n');
        }
        return text.toString();
    }

    /** One to five random edits (insert, delete, overwrite, duplicate, truncate) of {@code body}. */
    public static byte[] mutate(byte[] body, Random random) {
        int mutations = 1 + random.nextInt(5);
        for (int m = 0; m < mutations; m++) {
            body = mutateOnce(body, random);
        }
        return body;
    }

    private static String value(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> "NaN";
            case 1 -> "+Inf";
            case 2 -> "-Inf";
            case 3 -> "-" + random.nextInt(100);
            case 4 -> "1.7976931348623157e+308";
            case 5 -> Double.toString(random.nextDouble());
            case 6 -> Double.toString(random.nextDouble() * 2);
            case 7 -> "1.7543102461234562e+09";
            default -> Integer.toString(random.nextInt(1000));
        };
    }

    private static byte[] mutateOnce(byte[] body, Random random) {
        int at = body.length == 0 ? 0 : random.nextInt(body.length);
        byte symbol = (byte) "{}=,\"\\# \n0123456789.eE+-NaInf_:".charAt(random.nextInt(30));
        if (random.nextInt(3) == 0) {
            symbol = (byte) random.nextInt(256);
        }
        return switch (random.nextInt(5)) {
            case 0 -> splice(body, at, 0, new byte[] {symbol});
            case 1 -> splice(body, at, Math.min(1 + random.nextInt(4), body.length - at), new byte[0]);
            case 2 -> {
                byte[] copy = body.clone();
                if (copy.length > 0) {
                    copy[at] = symbol;
                }
                yield copy;
            }
            case 3 -> {
                int length = Math.min(random.nextInt(60), body.length - at);
                byte[] segment = new byte[length];
                System.arraycopy(body, at, segment, 0, length);
                yield splice(body, random.nextInt(body.length + 1), 0, segment);
            }
            default -> splice(body, at, body.length - at, new byte[0]);
        };
    }

    private static byte[] splice(byte[] body, int at, int remove, byte[] insert) {
        byte[] out = new byte[body.length - remove + insert.length];
        System.arraycopy(body, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(body, at + remove, out, at + insert.length, body.length - at - remove);
        return out;
    }
}
