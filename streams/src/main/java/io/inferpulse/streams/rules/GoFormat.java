package io.inferpulse.streams.rules;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's float64 formatting (fmt / strconv), so annotations read exactly as Prometheus renders them: {@code %v} is the
 * shortest representation with an exponent from 1e+21 and below 1e-04, {@code %.4g} rounds half to even on the
 * exact binary value.
 */
final class GoFormat {

    private GoFormat() {
    }

    /** {@code fmt.Sprint(v)}: 12.5, 1e+06, 100000, NaN, +Inf. */
    static String value(double v) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        BigDecimal shortest = new BigDecimal(Double.toString(Math.abs(v)));
        return general(v < 0, shortest, 6, Integer.MAX_VALUE);
    }

    /** {@code %.<precision>g}. */
    static String general(double v, int precision) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        int p = precision == 0 ? 1 : precision;
        BigDecimal rounded = new BigDecimal(Math.abs(v)).round(new MathContext(p, RoundingMode.HALF_EVEN));
        return general(v < 0 || isNegativeZero(v), rounded, p, p);
    }

    /** {@code %.<precision>f}. */
    static String fixed(double v, int precision) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        String s = new BigDecimal(Math.abs(v)).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
        return (v < 0 || isNegativeZero(v) ? "-" : "") + s;
    }

    /** {@code %.<precision>e}. */
    static String exponent(double v, int precision) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        BigDecimal rounded = new BigDecimal(Math.abs(v)).round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
        Digits d = Digits.of(rounded);
        return (v < 0 || isNegativeZero(v) ? "-" : "") + d.exponentForm(precision);
    }

    private static String general(boolean negative, BigDecimal magnitude, int exponentThreshold, int precision) {
        Digits d = Digits.of(magnitude);
        int eprec = exponentThreshold;
        if (precision != Integer.MAX_VALUE && eprec > d.count() && d.count() >= d.point()) {
            eprec = d.count();
        }
        int exp = d.point() - 1;
        String body = exp < -4 || exp >= eprec
                ? d.exponentForm(d.count() - 1)
                : d.fixedForm(Math.max(d.count() - d.point(), 0));
        return (negative ? "-" : "") + body;
    }

    private static String special(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return null;
    }

    private static boolean isNegativeZero(double v) {
        return v == 0 && Double.doubleToRawLongBits(v) != 0;
    }

    /** A magnitude as significant digits {@code d1 d2 ...} and the position of the decimal point: 0.d1d2... × 10^point. */
    private record Digits(String digits, int point) {
        static Digits of(BigDecimal magnitude) {
            if (magnitude.signum() == 0) {
                return new Digits("0", 1);
            }
            BigDecimal stripped = magnitude.stripTrailingZeros();
            String digits = stripped.unscaledValue().toString();
            return new Digits(digits, digits.length() - stripped.scale());
        }

        int count() {
            return digits.length();
        }

        String exponentForm(int fractionDigits) {
            StringBuilder sb = new StringBuilder().append(digits.charAt(0));
            if (fractionDigits > 0) {
                sb.append('.');
                for (int i = 1; i <= fractionDigits; i++) {
                    sb.append(i < digits.length() ? digits.charAt(i) : '0');
                }
            }
            int exp = digits.equals("0") ? 0 : point - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            String e = Integer.toString(Math.abs(exp));
            return sb.append(e.length() < 2 ? "0" + e : e).toString();
        }

        String fixedForm(int fractionDigits) {
            StringBuilder sb = new StringBuilder();
            if (point <= 0) {
                sb.append('0');
            } else {
                for (int i = 0; i < point; i++) {
                    sb.append(i < digits.length() ? digits.charAt(i) : '0');
                }
            }
            if (fractionDigits > 0) {
                sb.append('.');
                for (int i = 0; i < fractionDigits; i++) {
                    int index = point + i;
                    sb.append(index >= 0 && index < digits.length() ? digits.charAt(index) : '0');
                }
            }
            return sb.toString();
        }
    }
}
