package io.inferpulse.ingest.promtext;

import static io.inferpulse.ingest.promtext.PromTextParseException.describe;

import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One parse of one decoded body: a single left-to-right pass over a char array, no regular
 * expressions, no per-line substrings. Every construct of the format fits on one line, so the
 * reader tracks only the current line's number and start for error positions.
 *
 * <p>Syntax follows Prometheus's own parser (model/textparse/promparse.go), including what it
 * tolerates: blanks around label names, '=' and commas, a trailing comma, {@code name {a="b"} 1},
 * leading blanks on a line, and unknown escapes in label values kept verbatim. Where Prometheus is
 * lenient by accident, this reader rejects the line instead: a raw newline inside a label value,
 * labels not separated by commas, and text glued to a metric name in {@code # HELP}.
 */
final class ExpositionReader {

    /** Up to this many labels, duplicate names are found by a scan, which beats hashing. */
    private static final int LINEAR_DUPLICATE_SCAN = 16;

    private final char[] buf;
    private final int end;
    private int pos;
    private int line = 1;
    private int lineStart;

    private final StringCache strings = new StringCache();
    private String[] labelScratch = new String[2 * LINEAR_DUPLICATE_SCAN];
    private final Set<String> manyLabelNames = new HashSet<>();

    private final List<FamilyBuilder> families = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    /**
     * The family of the last HELP/TYPE line. As in Prometheus, a sample joins it whenever its name
     * fits the family's type, even after a stray line, so one misspelt series in the middle of a
     * histogram does not strip the type from the buckets after it.
     */
    private FamilyBuilder metadataFamily;
    /** The family started by the last sample that fitted no metadata. */
    private FamilyBuilder untypedFamily;

    ExpositionReader(char[] buf, int length) {
        this.buf = buf;
        this.end = length;
    }

    Exposition read() {
        while (pos < end && readLine()) {
            if (pos < end) {
                pos++;
                line++;
                lineStart = pos;
            }
        }
        List<MetricFamily> built = new ArrayList<>(families.size());
        for (FamilyBuilder family : families) {
            built.add(new MetricFamily(family.name, family.type, family.help, family.samples));
        }
        return new Exposition(built, samples);
    }

    /** Reads one line, leaving {@code pos} at its end. False at an OpenMetrics {@code # EOF}. */
    private boolean readLine() {
        skipBlanks();
        if (atLineEnd()) {
            return true;
        }
        char c = buf[pos];
        if (c == '#') {
            return readComment();
        }
        if (!isMetricNameStart(c)) {
            throw error(pos, "expected a metric name or '#', found " + found(pos));
        }
        readSample();
        return true;
    }

    private boolean readComment() {
        pos++;
        if (atLineEnd() || !isBlank(buf[pos])) {
            skipToLineEnd();
            return true;
        }
        skipBlanks();
        if (keyword("HELP")) {
            readHelp();
        } else if (keyword("TYPE")) {
            readType();
        } else if (isEofMarker()) {
            return false;
        } else {
            skipToLineEnd();
        }
        return true;
    }

    private boolean keyword(String word) {
        int after = pos + word.length();
        if (after >= end || !isBlank(buf[after]) || !textAt(pos, word)) {
            return false;
        }
        pos = after;
        skipBlanks();
        return true;
    }

    private boolean isEofMarker() {
        if (!textAt(pos, "EOF")) {
            return false;
        }
        int i = pos + 3;
        while (i < end && isBlank(buf[i])) {
            i++;
        }
        return i == end || buf[i] == '\n';
    }

    private void readHelp() {
        FamilyBuilder family = familyForMetadata(readMetadataName("HELP"));
        if (atLineEnd()) {
            family.help = "";
            return;
        }
        // Prometheus drops exactly one separator; further blanks belong to the text.
        pos++;
        int start = pos;
        skipToLineEnd();
        family.help = unescape(start, pos, false);
    }

    private void readType() {
        String name = readMetadataName("TYPE");
        skipBlanks();
        int start = pos;
        skipToken();
        if (start == pos) {
            throw error(pos, "expected a metric type after TYPE " + name);
        }
        String keyword = new String(buf, start, pos - start);
        MetricType type = MetricType.fromText(keyword);
        if (type == null) {
            throw error(start, "unknown metric type " + quoted(start, pos));
        }
        skipBlanks();
        if (!atLineEnd()) {
            throw error(pos, "unexpected text after metric type " + keyword);
        }
        familyForMetadata(name).type = type;
    }

    private String readMetadataName(String keyword) {
        int start = pos;
        if (atLineEnd() || !isMetricNameStart(buf[pos])) {
            throw error(pos, "expected a metric name after " + keyword + ", found " + found(pos));
        }
        skipMetricName();
        if (!atLineEnd() && !isBlank(buf[pos])) {
            throw error(pos, "invalid character " + describe(buf[pos]) + " in metric name " + quoted(start, pos));
        }
        return strings.get(buf, start, pos);
    }

    private FamilyBuilder familyForMetadata(String name) {
        if (metadataFamily == null || !metadataFamily.name.equals(name) || !metadataFamily.samples.isEmpty()) {
            metadataFamily = new FamilyBuilder(name);
            families.add(metadataFamily);
            untypedFamily = null;
        }
        return metadataFamily;
    }

    private void readSample() {
        int nameStart = pos;
        skipMetricName();
        int nameEnd = pos;
        String name = strings.get(buf, nameStart, nameEnd);
        skipBlanks();
        Labels labels = Labels.empty();
        if (pos < end && buf[pos] == '{') {
            int count = readLabelPairs(name);
            labels = Labels.fromValidatedPairs(labelScratch, count);
            skipBlanks();
        } else if (pos == nameEnd && !atLineEnd()) {
            throw error(pos, "invalid character " + describe(buf[pos]) + " in metric name \"" + name + "\"");
        }

        int valueStart = pos;
        skipToken();
        if (valueStart == pos) {
            throw error(pos, "expected a value for " + name + ", found " + found(pos));
        }
        double value = parseDouble(valueStart, "sample value");
        skipBlanks();

        OptionalLong timestamp = OptionalLong.empty();
        if (!atLineEnd() && buf[pos] != '#') {
            int start = pos;
            skipToken();
            try {
                timestamp = OptionalLong.of(SampleValues.parseTimestamp(buf, start, pos));
            } catch (NumberFormatException e) {
                throw error(start, "invalid timestamp " + quoted(start, pos) + ": " + e.getMessage());
            }
            skipBlanks();
        }
        if (!atLineEnd()) {
            if (buf[pos] != '#') {
                throw error(pos, "unexpected text after the timestamp");
            }
            skipExemplar();
        }

        Sample sample = new Sample(name, labels, value, timestamp);
        samples.add(sample);
        familyForSample(name).samples.add(sample);
    }

    private FamilyBuilder familyForSample(String name) {
        if (metadataFamily != null && metadataFamily.type.includes(metadataFamily.name, name)) {
            return metadataFamily;
        }
        if (untypedFamily == null || !untypedFamily.name.equals(name)) {
            untypedFamily = new FamilyBuilder(name);
            families.add(untypedFamily);
        }
        return untypedFamily;
    }

    /** OpenMetrics exemplar {@code # {labels} value [timestamp]}: checked, then dropped. */
    private void skipExemplar() {
        pos++;
        skipBlanks();
        if (atLineEnd() || buf[pos] != '{') {
            throw error(pos, "expected '{' to open exemplar labels after '#', found " + found(pos));
        }
        readLabelPairs("the exemplar");
        skipBlanks();
        int valueStart = pos;
        skipToken();
        if (valueStart == pos) {
            throw error(pos, "expected an exemplar value, found " + found(pos));
        }
        parseDouble(valueStart, "exemplar value");
        skipBlanks();
        if (!atLineEnd()) {
            // OpenMetrics timestamps are seconds, possibly fractional.
            int timestampStart = pos;
            skipToken();
            parseDouble(timestampStart, "exemplar timestamp");
            skipBlanks();
            if (!atLineEnd()) {
                throw error(pos, "unexpected text after the exemplar");
            }
        }
    }

    /**
     * Reads {@code {name="value",...}} starting at the '{' into {@link #labelScratch}.
     *
     * @return the number of pairs read
     */
    private int readLabelPairs(String owner) {
        pos++;
        int count = 0;
        while (true) {
            skipBlanks();
            if (atLineEnd()) {
                throw error(pos, "missing '}' to close the labels of " + owner);
            }
            if (buf[pos] == '}') {
                pos++;
                return count;
            }
            if (!Labels.isNameStart(buf[pos])) {
                throw error(pos, "expected a label name or '}', found " + found(pos));
            }
            int nameStart = pos;
            do {
                pos++;
            } while (pos < end && Labels.isNameChar(buf[pos]));
            String name = strings.get(buf, nameStart, pos);
            if (!atLineEnd() && isGluedToName(buf[pos])) {
                throw error(pos, "invalid character " + describe(buf[pos]) + " in label name \"" + name + "\"");
            }
            skipBlanks();
            if (atLineEnd() || buf[pos] != '=') {
                throw error(pos, "expected '=' after label name \"" + name + "\"");
            }
            pos++;
            skipBlanks();
            if (atLineEnd() || buf[pos] != '"') {
                throw error(pos, "expected '\"' to open the value of label \"" + name + "\", found " + found(pos));
            }
            String value = readLabelValue(name);
            if (isDuplicate(name, count)) {
                throw error(nameStart, "duplicate label name \"" + name + "\"");
            }
            if (2 * count + 2 > labelScratch.length) {
                labelScratch = Arrays.copyOf(labelScratch, 2 * labelScratch.length);
            }
            labelScratch[2 * count] = name;
            labelScratch[2 * count + 1] = value;
            count++;
            skipBlanks();
            if (pos < end && buf[pos] == ',') {
                pos++;
            } else if (pos < end && buf[pos] == '}') {
                pos++;
                return count;
            } else {
                throw error(pos, "expected ',' or '}' after the value of label \"" + name + "\", found " + found(pos));
            }
        }
    }

    /** A character that cannot follow a label name, as opposed to one that merely ends it. */
    private static boolean isGluedToName(char c) {
        return !isBlank(c) && c != '=' && c != ',' && c != '}' && c != '"';
    }

    private boolean isDuplicate(String name, int count) {
        if (count < LINEAR_DUPLICATE_SCAN) {
            for (int i = 0; i < count; i++) {
                if (labelScratch[2 * i].equals(name)) {
                    return true;
                }
            }
            return false;
        }
        if (count == LINEAR_DUPLICATE_SCAN) {
            manyLabelNames.clear();
            for (int i = 0; i < count; i++) {
                manyLabelNames.add(labelScratch[2 * i]);
            }
        }
        return !manyLabelNames.add(name);
    }

    /** Reads a quoted label value starting at its opening quote, leaving pos after the closing one. */
    private String readLabelValue(String name) {
        pos++;
        int start = pos;
        boolean escaped = false;
        while (true) {
            if (atLineEnd()) {
                throw error(pos, "missing '\"' to close the value of label \"" + name + "\"");
            }
            char c = buf[pos];
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                escaped = true;
                pos++;
                if (atLineEnd()) {
                    throw error(pos, "missing '\"' to close the value of label \"" + name + "\"");
                }
            }
            pos++;
        }
        String value = escaped ? unescape(start, pos, true) : strings.get(buf, start, pos);
        pos++;
        return value;
    }

    /**
     * Resolves {@code \\}, {@code \n} and, in label values, {@code \"}. Other backslashes are kept
     * as written, as Prometheus does.
     */
    private String unescape(int from, int to, boolean quotes) {
        StringBuilder out = null;
        int copied = from;
        for (int i = from; i < to - 1; i++) {
            if (buf[i] != '\\') {
                continue;
            }
            char next = buf[i + 1];
            char replacement = next == '\\' ? '\\' : next == 'n' ? '\n' : next == '"' && quotes ? '"' : 0;
            if (replacement == 0) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(to - from);
            }
            out.append(buf, copied, i - copied).append(replacement);
            i++;
            copied = i + 1;
        }
        if (out == null) {
            return new String(buf, from, to - from);
        }
        return out.append(buf, copied, to - copied).toString();
    }

    private double parseDouble(int start, String what) {
        try {
            return SampleValues.parseDouble(buf, start, pos);
        } catch (NumberFormatException e) {
            throw error(start, "invalid " + what + " " + quoted(start, pos) + ": " + e.getMessage());
        }
    }

    private boolean atLineEnd() {
        return pos >= end || buf[pos] == '\n';
    }

    private void skipBlanks() {
        while (pos < end && isBlank(buf[pos])) {
            pos++;
        }
    }

    private void skipToken() {
        while (!atLineEnd() && !isBlank(buf[pos])) {
            pos++;
        }
    }

    private void skipToLineEnd() {
        while (!atLineEnd()) {
            pos++;
        }
    }

    private void skipMetricName() {
        do {
            pos++;
        } while (pos < end && isMetricNameChar(buf[pos]));
    }

    private boolean textAt(int at, String text) {
        if (at + text.length() > end) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (buf[at + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isMetricNameStart(char c) {
        return Labels.isNameStart(c) || c == ':';
    }

    private static boolean isMetricNameChar(char c) {
        return Labels.isNameChar(c) || c == ':';
    }

    private String found(int at) {
        if (at >= end) {
            return "end of input";
        }
        return buf[at] == '\n' ? "end of line" : describe(buf[at]);
    }

    private String quoted(int from, int to) {
        return "\"" + PromTextParseException.printable(CharBuffer.wrap(buf, from, to - from)) + "\"";
    }

    private PromTextParseException error(int at, String reason) {
        int lineEnd = lineStart;
        while (lineEnd < end && buf[lineEnd] != '\n') {
            lineEnd++;
        }
        return PromTextParseException.at(line, at - lineStart + 1, reason, new String(buf, lineStart, lineEnd - lineStart));
    }

    private static final class FamilyBuilder {
        final String name;
        MetricType type = MetricType.UNTYPED;
        String help = "";
        final List<Sample> samples = new ArrayList<>();

        FamilyBuilder(String name) {
            this.name = name;
        }
    }
}
