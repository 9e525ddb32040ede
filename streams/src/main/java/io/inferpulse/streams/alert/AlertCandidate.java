package io.inferpulse.streams.alert;

import java.util.Map;
import java.util.SortedMap;

/** One sample of a rule's result at an evaluation instant, with its alert labels and rendered annotations. */
record AlertCandidate(SortedMap<String, String> labels, Map<String, String> annotations, double value) {}
