package io.inferpulse.streams.alert;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The series of one stats record that one rule group reads: the value of the repartition topic. The
 * record's timestamp, kept by the repartition, says when the values were current.
 */
record SeriesBatch(List<Point> points) {
    SeriesBatch {
        points = List.copyOf(points);
    }

    /** One series value, labels including {@code __name__}. */
    record Point(SortedMap<String, String> labels, double value) {
        Point {
            labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        }
    }
}
