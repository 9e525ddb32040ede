package io.inferpulse.ingest.promtext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property tests: whatever bytes a target sends, the parser either returns an exposition or throws
 * {@link PromTextParseException}; nothing else escapes. Each run picks a new seed; a failure
 * message names it, and {@code -Dinferpulse.fuzz.seed=<seed>} replays that run.
 */
class PromTextParserFuzzTest {

    private static final long SEED = Long.getLong("inferpulse.fuzz.seed", System.nanoTime());
    /** Bytes that drive the parser through its states, over-represented in random input. */
    private static final byte[] SYNTAX = "{}=,\"\\# \t\n:_.eE+-0123456789InfNaHELPTYPEOF".getBytes(StandardCharsets.US_ASCII);
    private static final String[] CORPUS = {
        """
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
        # TYPE vllm:e2e_request_latency_seconds histogram
        vllm:e2e_request_latency_seconds_bucket{engine="0",le="0.3",model_name="m"} 1.0
        vllm:e2e_request_latency_seconds_bucket{engine="0",le="+Inf",model_name="m"} 4.0
        vllm:e2e_request_latency_seconds_sum{engine="0",model_name="m"} 2.5
        vllm:lora_requests_info{max_lora="2",running_lora_adapters="a,b",waiting_lora_adapters=""} 1.7543e+09
        """,
        """
        # TYPE rpc histogram
        rpc_bucket{le="0.1"} 3 # {trace_id="abc"} 0.05 1.7268398142239082e+09
        rpc_bucket{le="+Inf"} 5 1700000000000
        rpc_sum -8.452185437166741e-05
        m{a="esc \\\\ \\" \\n", b = "x" ,} NaN
        # EOF
        """,
    };

    @Test
    void shouldEitherParseOrThrowParseExceptionOnRandomBytes() {
        Random random = new Random(SEED);
        for (int i = 0; i < 1000; i++) {
            byte[] body = new byte[random.nextInt(200)];
            for (int k = 0; k < body.length; k++) {
                body[k] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : SYNTAX[random.nextInt(SYNTAX.length)];
            }
            assertParsesOrRejects(body, i);
        }
    }

    @Test
    void shouldEitherParseOrThrowParseExceptionOnMutatedExpositions() {
        Random random = new Random(SEED);
        for (int i = 0; i < 1000; i++) {
            byte[] body = CORPUS[random.nextInt(CORPUS.length)].getBytes(StandardCharsets.UTF_8);
            int mutations = 1 + random.nextInt(5);
            for (int m = 0; m < mutations; m++) {
                body = RandomExpositions.mutate(body, random);
            }
            assertParsesOrRejects(body, i);
        }
    }

    @Test
    void shouldRoundTripRandomlyGeneratedExpositions() {
        Random random = new Random(SEED);
        for (int i = 0; i < 500; i++) {
            List<Sample> expected = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            int count = 1 + random.nextInt(10);
            for (int s = 0; s < count; s++) {
                Sample sample = randomSample(random);
                expected.add(sample);
                text.append(sample.name());
                if (!sample.labels().isEmpty() || random.nextBoolean()) {
                    text.append(sample.labels());
                }
                text.append(' ').append(sample.value());
                sample.timestampMs().ifPresent(ts -> text.append(' ').append(ts));
                text.append('\n');
            }
            List<Sample> actual;
            try {
                actual = PromTextParser.parse(text.toString().getBytes(StandardCharsets.UTF_8)).samples();
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + ", case " + i + ": failed to parse\n" + text, e);
            }
            assertThat(actual).as("seed %d, case %d:%n%s", SEED, i, text).isEqualTo(expected);
        }
    }

    private static Sample randomSample(Random random) {
        String name = randomName(random, "abcxyz_:", "abcxyz_:019");
        String[] labels = new String[2 * random.nextInt(4)];
        for (int k = 0; k < labels.length; k += 2) {
            labels[k] = randomName(random, "abcxyz_", "abcxyz_019") + k;
            labels[k + 1] = randomName(random, "aé日 \\\"\n{},=#", "aé日 \\\"\n{},=#");
        }
        double value = switch (random.nextInt(6)) {
            case 0 -> Double.NaN;
            case 1 -> random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 2 -> random.nextInt(1000);
            case 3 -> Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL) * (random.nextBoolean() ? 1 : -1);
            default -> random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
        };
        OptionalLong timestamp = random.nextBoolean() ? OptionalLong.empty() : OptionalLong.of(random.nextLong() & Long.MAX_VALUE);
        return new Sample(name, Labels.of(labels), value, timestamp);
    }

    private static String randomName(Random random, String first, String rest) {
        StringBuilder name = new StringBuilder().append(first.charAt(random.nextInt(first.length())));
        int length = random.nextInt(8);
        for (int k = 0; k < length; k++) {
            name.append(rest.charAt(random.nextInt(rest.length())));
        }
        return name.toString();
    }

    private static void assertParsesOrRejects(byte[] body, int caseNumber) {
        try {
            Exposition exposition = PromTextParser.parse(body);
            int inFamilies = exposition.families().stream().mapToInt(f -> f.samples().size()).sum();
            assertThat(inFamilies).as("seed %d, case %d", SEED, caseNumber).isEqualTo(exposition.samples().size());
        } catch (PromTextParseException e) {
            if (e.line() < 1 || e.column() < 1 || e.getMessage().isEmpty()) {
                fail("seed " + SEED + ", case " + caseNumber + ": bad position in " + e.getMessage()
                        + "\nbody: " + HexFormat.of().formatHex(body), e);
            }
        } catch (RuntimeException e) {
            fail("seed " + SEED + ", case " + caseNumber + ": " + e + "\nbody: " + HexFormat.of().formatHex(body), e);
        }
    }
}
