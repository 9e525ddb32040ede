package io.inferpulse.ingest.promtext;

/**
 * Number syntax of the text format, as Prometheus reads it with Go's {@code strconv}: decimal
 * floats with optional exponent, {@code NaN}, and {@code Inf}/{@code Infinity} with optional sign,
 * case-insensitive. Java's {@code Double.parseDouble} alone would both accept too much ("1d",
 * surrounding spaces, hex) and too little ("Inf", "nan"), so syntax is checked here first.
 */
final class SampleValues {

    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };
    private static final long MAX_EXACT_MANTISSA = 1L << 53;
    private static final int MAX_MANTISSA_DIGITS = 18;

    private SampleValues() {
    }

    /**
     * Parses {@code chars[from, to)} as a sample value.
     *
     * @throws NumberFormatException with a short reason when the text is not a valid value
     */
    static double parseDouble(char[] chars, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (chars[i] == '+' || chars[i] == '-')) {
            negative = chars[i] == '-';
            i++;
        }
        if (i == to) {
            throw new NumberFormatException("not a number");
        }
        char first = chars[i];
        if (first == 'i' || first == 'I') {
            if (matchesIgnoreCase(chars, i, to, "inf") || matchesIgnoreCase(chars, i, to, "infinity")) {
                return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            throw new NumberFormatException("not a number");
        }
        if (first == 'n' || first == 'N') {
            // Go accepts a sign on Inf but not on NaN.
            if (i == from && matchesIgnoreCase(chars, i, to, "nan")) {
                return Double.NaN;
            }
            throw new NumberFormatException("not a number");
        }

        long mantissa = 0;
        int mantissaDigits = 0;
        int exponent = 0;
        boolean exact = true;
        boolean sawDigit = false;
        for (; i < to && isDigit(chars[i]); i++) {
            sawDigit = true;
            if (mantissaDigits < MAX_MANTISSA_DIGITS) {
                mantissa = mantissa * 10 + (chars[i] - '0');
                if (mantissa != 0) {
                    mantissaDigits++;
                }
            } else {
                exact = false;
            }
        }
        if (i < to && chars[i] == '.') {
            for (i++; i < to && isDigit(chars[i]); i++) {
                sawDigit = true;
                if (mantissaDigits < MAX_MANTISSA_DIGITS) {
                    mantissa = mantissa * 10 + (chars[i] - '0');
                    if (mantissa != 0) {
                        mantissaDigits++;
                    }
                    exponent--;
                } else {
                    exact = false;
                }
            }
        }
        if (!sawDigit) {
            throw new NumberFormatException("not a number");
        }
        if (i < to && (chars[i] == 'e' || chars[i] == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < to && (chars[i] == '+' || chars[i] == '-')) {
                negativeExponent = chars[i] == '-';
                i++;
            }
            if (i == to || !isDigit(chars[i])) {
                throw new NumberFormatException("exponent has no digits");
            }
            int explicit = 0;
            for (; i < to && isDigit(chars[i]); i++) {
                // Saturate: anything this large is out of range or zero, decided by the slow path.
                explicit = Math.min(explicit * 10 + (chars[i] - '0'), 100_000);
            }
            exponent += negativeExponent ? -explicit : explicit;
        }
        if (i != to) {
            throw new NumberFormatException("unexpected character " + PromTextParseException.describe(chars[i]));
        }

        double value;
        if (mantissa == 0) {
            value = 0.0;
        } else if (exact && mantissa <= MAX_EXACT_MANTISSA && exponent >= -22 && exponent <= 22) {
            // Clinger's fast path: mantissa and power of ten are both exact doubles, so a single
            // multiplication or division is correctly rounded. Covers nearly all real values.
            value = exponent >= 0 ? mantissa * POWERS_OF_TEN[exponent] : mantissa / POWERS_OF_TEN[-exponent];
        } else {
            value = Double.parseDouble(new String(chars, from, to - from));
            if (Double.isInfinite(value)) {
                throw new NumberFormatException("value out of range");
            }
            return value;
        }
        return negative ? -value : value;
    }

    /**
     * Parses {@code chars[from, to)} as a timestamp: digits only, as in Prometheus, so no sign.
     *
     * @throws NumberFormatException with a short reason when the text is not a valid timestamp
     */
    static long parseTimestamp(char[] chars, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = chars[i];
            if (!isDigit(c)) {
                throw new NumberFormatException("timestamps are integer milliseconds, unexpected character "
                        + PromTextParseException.describe(c));
            }
            int digit = c - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                throw new NumberFormatException("timestamp out of range");
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean matchesIgnoreCase(char[] chars, int from, int to, String word) {
        if (to - from != word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            // ASCII-only case folding, as Go does; word is lower-case letters.
            if ((chars[from + k] | 0x20) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
