package io.inferpulse.streams.rules;

import java.util.List;

/**
 * Go's fmt.Sprintf for the verbs templates use on strings and float64 values: %v %s %q %d %f %e %g %%, with flags
 * {@code - + 0} space, width and precision. Mismatches render as Go does ({@code %!d(float64=1.5)}).
 */
final class GoPrintf {

    private GoPrintf() {
    }

    static String format(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int argIndex = 0;
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i++);
            if (c != '%') {
                out.append(c);
                continue;
            }
            boolean left = false;
            boolean plus = false;
            boolean zero = false;
            boolean space = false;
            while (i < format.length() && "-+0 #".indexOf(format.charAt(i)) >= 0) {
                switch (format.charAt(i++)) {
                    case '-' -> left = true;
                    case '+' -> plus = true;
                    case '0' -> zero = true;
                    case ' ' -> space = true;
                    default -> { }
                }
            }
            int width = -1;
            int start = i;
            while (i < format.length() && Character.isDigit(format.charAt(i))) {
                i++;
            }
            if (i > start) {
                width = Integer.parseInt(format.substring(start, i));
            }
            int precision = -1;
            if (i < format.length() && format.charAt(i) == '.') {
                start = ++i;
                while (i < format.length() && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                precision = i > start ? Integer.parseInt(format.substring(start, i)) : 0;
            }
            if (i >= format.length()) {
                out.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(i++);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (argIndex >= args.size()) {
                out.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object arg = args.get(argIndex++);
            String body = verb(verb, arg, precision, plus, space);
            boolean numeric = arg instanceof Double && "vdfFeEgG".indexOf(verb) >= 0;
            out.append(pad(body, width, left, zero && numeric && !left));
        }
        if (argIndex < args.size()) {
            out.append("%!(EXTRA ");
            for (int a = argIndex; a < args.size(); a++) {
                out.append(a > argIndex ? ", " : "").append(typeName(args.get(a))).append('=').append(Template.print(args.get(a)));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static String verb(char verb, Object arg, int precision, boolean plus, boolean space) {
        if (arg instanceof Double d) {
            String s = switch (verb) {
                case 'v' -> precision < 0 ? GoFormat.value(d) : GoFormat.general(d, precision);
                case 'g', 'G' -> precision < 0 ? GoFormat.value(d) : GoFormat.general(d, precision);
                case 'f', 'F' -> GoFormat.fixed(d, precision < 0 ? 6 : precision);
                case 'e', 'E' -> GoFormat.exponent(d, precision < 0 ? 6 : precision);
                default -> null;
            };
            if (s == null) {
                return "%!" + verb + "(float64=" + GoFormat.value(d) + ")";
            }
            if (Character.isUpperCase(verb)) {
                s = s.toUpperCase();
            }
            boolean negative = s.startsWith("-");
            if (!negative && plus) {
                s = "+" + s;
            } else if (!negative && space && !s.startsWith("+")) {
                s = " " + s;
            }
            return s;
        }
        String s = String.valueOf(arg);
        return switch (verb) {
            case 's', 'v' -> precision >= 0 && precision < s.length() ? s.substring(0, precision) : s;
            case 'q' -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            default -> "%!" + verb + "(string=" + s + ")";
        };
    }

    private static String pad(String body, int width, boolean left, boolean zeros) {
        if (width <= body.length()) {
            return body;
        }
        String fill = String.valueOf(zeros ? '0' : ' ').repeat(width - body.length());
        if (left) {
            return body + fill;
        }
        if (zeros && (body.startsWith("-") || body.startsWith("+"))) {
            return body.charAt(0) + fill + body.substring(1);
        }
        return fill + body;
    }

    private static String typeName(Object arg) {
        return arg instanceof Double ? "float64" : "string";
    }
}
