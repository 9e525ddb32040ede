package io.inferpulse.ingest.promtext;

/**
 * The type declared by a {@code # TYPE} line. The Prometheus text format has the first five; the
 * others are OpenMetrics types, accepted because many exporters send OpenMetrics-flavoured text.
 */
public enum MetricType {
    COUNTER("counter"),
    GAUGE("gauge"),
    HISTOGRAM("histogram"),
    SUMMARY("summary"),
    UNTYPED("untyped"),
    INFO("info"),
    STATESET("stateset"),
    GAUGE_HISTOGRAM("gaugehistogram"),
    UNKNOWN("unknown");

    private final String text;

    MetricType(String text) {
        this.text = text;
    }

    /** The keyword as written in a {@code # TYPE} line. */
    public String text() {
        return text;
    }

    /** The type for a {@code # TYPE} keyword (case-sensitive, as in Prometheus), or null. */
    static MetricType fromText(String keyword) {
        for (MetricType type : values()) {
            if (type.text.equals(keyword)) {
                return type;
            }
        }
        return null;
    }

    /**
     * Whether a sample named {@code sampleName} belongs to a family {@code familyName} of this
     * type. Mirrors Prometheus's own rule (textparse isSeriesPartOfFamily) plus the OpenMetrics
     * {@code _created} series, so that a histogram's {@code _bucket}, {@code _sum} and
     * {@code _count} stay with their family while a stray or misspelt name does not inherit it.
     */
    boolean includes(String familyName, String sampleName) {
        return switch (this) {
            case COUNTER -> {
                int base = familyName.endsWith("_total") ? familyName.length() - 6 : familyName.length();
                yield sampleName.regionMatches(0, familyName, 0, base)
                        && suffixAt(sampleName, base, "", "_total", "_created");
            }
            case HISTOGRAM -> sampleName.startsWith(familyName)
                    && suffixAt(sampleName, familyName.length(), "", "_bucket", "_sum", "_count", "_created");
            case GAUGE_HISTOGRAM -> sampleName.startsWith(familyName)
                    && suffixAt(sampleName, familyName.length(), "", "_bucket", "_gsum", "_gcount");
            case SUMMARY -> sampleName.startsWith(familyName)
                    && suffixAt(sampleName, familyName.length(), "", "_sum", "_count", "_created");
            case INFO -> {
                int base = familyName.endsWith("_info") ? familyName.length() - 5 : familyName.length();
                yield sampleName.regionMatches(0, familyName, 0, base) && suffixAt(sampleName, base, "", "_info");
            }
            default -> sampleName.equals(familyName);
        };
    }

    private static boolean suffixAt(String name, int at, String... suffixes) {
        for (String suffix : suffixes) {
            if (name.length() == at + suffix.length() && name.startsWith(suffix, at)) {
                return true;
            }
        }
        return false;
    }
}
