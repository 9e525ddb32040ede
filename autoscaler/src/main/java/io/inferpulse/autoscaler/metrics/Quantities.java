package io.inferpulse.autoscaler.metrics;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Kubernetes quantities in their canonical decimal form, as {@code resource.Quantity} prints them
 * and HPA parses them: an integer mantissa and an SI suffix with an exponent that is a multiple of
 * three ({@code 500m}, {@code 12}, {@code 1500m}, {@code 2k}, {@code 250u}). Precision below a
 * nano-unit is rounded up, as Kubernetes rounds, so a small non-zero value never reads as zero.
 */
final class Quantities {
    private static final String[] SUFFIXES = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
    private static final BigInteger THOUSAND = BigInteger.valueOf(1000);

    private Quantities() {}

    /** @throws IllegalArgumentException for NaN and infinities, which no quantity can carry */
    static String format(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(value + " cannot be written as a Kubernetes quantity");
        }
        long whole = (long) value;
        if (whole == value && whole != 0 && Math.abs(whole) < 1_000_000_000_000_000L) {
            // The common case (counts, totals) without BigDecimal: the same digits and suffix as below.
            int exponent = 3; // ""
            while (exponent < SUFFIXES.length - 1 && whole % 1000 == 0) {
                whole /= 1000;
                exponent++;
            }
            return whole + SUFFIXES[exponent];
        }
        // valueOf takes the shortest decimal that reads back as the double: 0.1 stays 0.1, not 0.1000000000000000055...
        BigInteger mantissa = BigDecimal.valueOf(value).setScale(9, RoundingMode.CEILING).unscaledValue();
        if (mantissa.signum() == 0) {
            return "0";
        }
        int exponent = 0; // index into SUFFIXES; 0 is nano
        while (exponent < SUFFIXES.length - 1 && mantissa.mod(THOUSAND).signum() == 0) {
            mantissa = mantissa.divide(THOUSAND);
            exponent++;
        }
        return mantissa + SUFFIXES[exponent];
    }
}
