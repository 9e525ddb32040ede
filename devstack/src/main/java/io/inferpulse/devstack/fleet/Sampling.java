package io.inferpulse.devstack.fleet;

import java.util.random.RandomGenerator;

/** The random draws the load model needs, on a caller-supplied generator so a seed reproduces a run. */
final class Sampling {

    /** Above this mean the Poisson distribution is close enough to normal, and Knuth's loop gets slow. */
    private static final double KNUTH_LIMIT = 30;

    private static final String LOWERCASE = "abcdefghijklmnopqrstuvwxyz";

    private Sampling() {
    }

    /** Number of events in an interval where {@code mean} are expected. */
    static int poisson(RandomGenerator random, double mean) {
        if (!(mean > 0)) {
            return 0;
        }
        if (mean > KNUTH_LIMIT) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int count = 0;
        while (product > limit) {
            product *= random.nextDouble();
            count++;
        }
        return count;
    }

    /** A lognormal draw with the given median; {@code sigma} 0 returns the median itself. */
    static double lognormal(RandomGenerator random, double median, double sigma) {
        return median * Math.exp(sigma * random.nextGaussian());
    }

    static String lowercase(RandomGenerator random, int length) {
        return chars(random, length, LOWERCASE);
    }

    static String alphanumeric(RandomGenerator random, int length) {
        return chars(random, length, LOWERCASE + "0123456789");
    }

    static String hex(RandomGenerator random, int length) {
        return chars(random, length, "0123456789abcdef");
    }

    private static String chars(RandomGenerator random, int length, String alphabet) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
