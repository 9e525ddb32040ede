package io.inferpulse.streams.rules;

import java.util.ArrayList;
import java.util.List;

/** Splits a PromQL expression into tokens; a range {@code [...]} is one token holding its text. */
final class PromQlLexer {

    enum Kind { NUMBER, DURATION, IDENTIFIER, STRING, RANGE, OPERATOR, LEFT_PAREN, RIGHT_PAREN, LEFT_BRACE, RIGHT_BRACE, COMMA, AT, END }

    record Token(Kind kind, String text, int position) {
        boolean is(Kind k, String t) {
            return kind == k && text.equals(t);
        }

        boolean isKeyword(String keyword) {
            return kind == Kind.IDENTIFIER && text.equalsIgnoreCase(keyword);
        }

        String describe() {
            return kind == Kind.END ? "end of expression" : "\"" + text + "\" at character " + (position + 1);
        }
    }

    private static final List<String> OPERATORS = List.of("==", "!=", "<=", ">=", "=~", "!~", "+", "-", "*", "/", "%",
            "^", "<", ">", "=");

    private final String input;
    private int pos;

    private PromQlLexer(String input) {
        this.input = input;
    }

    static List<Token> tokens(String input) {
        return new PromQlLexer(input).run();
    }

    private List<Token> run() {
        List<Token> out = new ArrayList<>();
        while (true) {
            skipSpaceAndComments();
            if (pos >= input.length()) {
                out.add(new Token(Kind.END, "", pos));
                return out;
            }
            out.add(next());
        }
    }

    private void skipSpaceAndComments() {
        while (pos < input.length()) {
            char c = input.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '#') {
                while (pos < input.length() && input.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private Token next() {
        int start = pos;
        char c = input.charAt(pos);
        switch (c) {
            case '(' -> {
                pos++;
                return new Token(Kind.LEFT_PAREN, "(", start);
            }
            case ')' -> {
                pos++;
                return new Token(Kind.RIGHT_PAREN, ")", start);
            }
            case '{' -> {
                pos++;
                return new Token(Kind.LEFT_BRACE, "{", start);
            }
            case '}' -> {
                pos++;
                return new Token(Kind.RIGHT_BRACE, "}", start);
            }
            case ',' -> {
                pos++;
                return new Token(Kind.COMMA, ",", start);
            }
            case '@' -> {
                pos++;
                return new Token(Kind.AT, "@", start);
            }
            case '[' -> {
                int close = input.indexOf(']', pos);
                if (close < 0) {
                    throw new PromQlException("unclosed \"[\" at character " + (start + 1));
                }
                pos = close + 1;
                return new Token(Kind.RANGE, input.substring(start + 1, close).strip(), start);
            }
            case '"', '\'', '`' -> {
                return string(c);
            }
            default -> {
            }
        }
        if (Character.isDigit(c) || (c == '.' && pos + 1 < input.length() && Character.isDigit(input.charAt(pos + 1)))) {
            return number();
        }
        if (Character.isLetter(c) || c == '_' || c == ':') {
            while (pos < input.length() && (Character.isLetterOrDigit(input.charAt(pos)) || input.charAt(pos) == '_'
                    || input.charAt(pos) == ':')) {
                pos++;
            }
            return new Token(Kind.IDENTIFIER, input.substring(start, pos), start);
        }
        for (String op : OPERATORS) {
            if (input.startsWith(op, pos)) {
                pos += op.length();
                return new Token(Kind.OPERATOR, op, start);
            }
        }
        throw new PromQlException("unexpected character \"" + c + "\" at character " + (start + 1));
    }

    private Token number() {
        int start = pos;
        if (input.startsWith("0x", pos) || input.startsWith("0X", pos)) {
            pos += 2;
            while (pos < input.length() && Character.digit(input.charAt(pos), 16) >= 0) {
                pos++;
            }
            return new Token(Kind.NUMBER, input.substring(start, pos), start);
        }
        while (pos < input.length() && (Character.isDigit(input.charAt(pos)) || input.charAt(pos) == '.')) {
            pos++;
        }
        if (pos < input.length() && (input.charAt(pos) == 'e' || input.charAt(pos) == 'E')) {
            int exponent = pos + 1;
            if (exponent < input.length() && (input.charAt(exponent) == '+' || input.charAt(exponent) == '-')) {
                exponent++;
            }
            if (exponent < input.length() && Character.isDigit(input.charAt(exponent))) {
                pos = exponent;
                while (pos < input.length() && Character.isDigit(input.charAt(pos))) {
                    pos++;
                }
            }
        }
        if (pos < input.length() && (Character.isLetter(input.charAt(pos)) || input.charAt(pos) == '_')) {
            // A duration such as the 5m of "offset 5m"; the parser names the construct it belongs to.
            while (pos < input.length() && Character.isLetterOrDigit(input.charAt(pos))) {
                pos++;
            }
            return new Token(Kind.DURATION, input.substring(start, pos), start);
        }
        return new Token(Kind.NUMBER, input.substring(start, pos), start);
    }

    private Token string(char quote) {
        int start = pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < input.length()) {
            char c = input.charAt(pos++);
            if (c == quote) {
                return new Token(Kind.STRING, sb.toString(), start);
            }
            if (c == '\\' && quote != '`') {
                if (pos >= input.length()) {
                    break;
                }
                char e = input.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case '\\', '"', '\'' -> sb.append(e);
                    default -> throw new PromQlException("unknown escape sequence \"\\" + e + "\" in string at character "
                            + (start + 1) + " (supported: \\n \\t \\r \\\\ \\\" \\')");
                }
            } else {
                sb.append(c);
            }
        }
        throw new PromQlException("unterminated string starting at character " + (start + 1));
    }
}
