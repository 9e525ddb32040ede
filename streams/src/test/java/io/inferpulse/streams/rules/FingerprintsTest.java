package io.inferpulse.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FingerprintsTest {

    @Test
    void shouldGiveTheFnvOffsetBasisForTheEmptySet() {
        assertThat(Fingerprints.of(Map.of())).isEqualTo("cbf29ce484222325");
    }

    @Test
    void shouldMatchPrometheusCommonModelTestVector() {
        // prometheus/common model TestMetricToFingerprint: 5799056148416392346.
        String fp = Fingerprints.of(Map.of("name", "garland, briggs", "fear", "love is not enough"));

        assertThat(fp).hasSize(16).matches("[0-9a-f]{16}");
        assertThat(Long.parseUnsignedLong(fp, 16)).isEqualTo(5799056148416392346L);
    }

    @Test
    void shouldHashSortedUtf8PairsEachFollowedBySeparator() {
        Map<String, String> labels = Map.of("alertname", "HighInferenceErrorRate", "model_name", "llamá", "a", "");

        assertThat(Fingerprints.of(labels)).isEqualTo(String.format("%016x", byHand(labels)));
        assertThat(Fingerprints.of(labels)).isNotEqualTo(Fingerprints.of(Map.of("alertname", "HighInferenceErrorRate",
                "model_name", "llamá")));
    }

    @Test
    void shouldZeroPadShortHashes() {
        // Search a small space for a hash below 2^60 so the leading zero is exercised.
        String padded = null;
        for (int i = 0; i < 200_000 && padded == null; i++) {
            String fp = Fingerprints.of(Map.of("i", Integer.toString(i)));
            if (fp.startsWith("0")) {
                padded = fp;
                assertThat(fp).isEqualTo(String.format("%016x", byHand(Map.of("i", Integer.toString(i)))));
            }
        }
        assertThat(padded).isNotNull().hasSize(16);
    }

    /** FNV-1a 64 written out from the definition, independently of the production loop. */
    private static long byHand(Map<String, String> labels) {
        long h = 0xcbf29ce484222325L;
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            for (String part : new String[] {e.getKey(), e.getValue()}) {
                byte[] bytes = (part).getBytes(StandardCharsets.UTF_8);
                byte[] withSeparator = Arrays.copyOf(bytes, bytes.length + 1);
                withSeparator[bytes.length] = (byte) 0xff;
                for (byte b : withSeparator) {
                    h = (h ^ Byte.toUnsignedLong(b)) * 1099511628211L;
                }
            }
        }
        return h;
    }
}
