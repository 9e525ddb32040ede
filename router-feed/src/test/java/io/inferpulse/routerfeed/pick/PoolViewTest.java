package io.inferpulse.routerfeed.pick;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PoolViewTest {

    @Test
    void shouldSortIndexesByScoreBestFirstKeepingIndexOrderAmongEqualScores() {
        SplittableRandom random = new SplittableRandom(3);
        for (int n : new int[] {0, 1, 2, 3, 7, 64, 1000, 1023}) {
            // Few distinct values, so equal scores are common.
            double[] score = random.doubles(n, 0, 8).map(Math::floor).toArray();
            int[] indexes = IntStream.range(0, n).toArray();

            PoolView.sortByScoreDescending(indexes, score);

            int[] expected = IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> score[i]).reversed())
                    .mapToInt(Integer::intValue).toArray();
            assertThat(indexes).as("%d scores %s", n, Arrays.toString(score)).containsExactly(expected);
        }
    }
}
