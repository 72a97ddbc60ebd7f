package io.lifecyclemail.decision.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantileSketchTest {
    static final double ALPHA = 0.01;

    @Test
    void wholeNumbersInTheExactRangeGiveTheExactBoundaries() {
        Random random = new Random(3);
        double[] frequencies = new double[5000];
        QuantileSketch sketch = new QuantileSketch(ALPHA, 10_000);
        for (int i = 0; i < frequencies.length; i++) {
            frequencies[i] = 1 + (random.nextDouble() < 0.6 ? 0 : random.nextInt(12)); // mostly one-time buyers
            sketch.add(frequencies[i]);
        }
        assertThat(sketch.scores(true)).isEqualTo(QuintileScores.of(frequencies, true));
    }

    @Test
    void amountsAreWithinTheRelativeErrorOfTheExactBoundaries() {
        Random random = new Random(4);
        double[] amounts = new double[20_000];
        QuantileSketch sketch = new QuantileSketch(ALPHA, 0);
        for (int i = 0; i < amounts.length; i++) {
            amounts[i] = Math.round(Math.exp(6 + 3 * random.nextDouble()) * 100) / 100.0 + 0.5; // 400 .. 8,100, not whole
            sketch.add(amounts[i]);
        }
        double[] exact = QuintileScores.of(amounts, true).boundaries();
        double[] approximate = sketch.scores(true).boundaries();
        for (int i = 0; i < 4; i++) {
            assertThat(Math.abs(approximate[i] - exact[i])).isLessThanOrEqualTo(ALPHA * exact[i]);
        }
    }

    @Test
    void mergingInstancesGivesWhatOneSketchOfAllGives() {
        Random random = new Random(5);
        QuantileSketch all = new QuantileSketch(ALPHA, 1000);
        QuantileSketch[] parts = {new QuantileSketch(ALPHA, 1000), new QuantileSketch(ALPHA, 1000), new QuantileSketch(ALPHA, 1000)};
        for (int i = 0; i < 9000; i++) {
            double value = random.nextBoolean() ? random.nextInt(400) : 1000 + random.nextDouble() * 50_000;
            all.add(value);
            parts[random.nextInt(3)].add(value);
        }
        QuantileSketch merged = new QuantileSketch(ALPHA, 1000);
        Arrays.stream(parts).forEach(merged::merge);
        assertThat(merged.count()).isEqualTo(all.count());
        for (double q = 0.05; q < 1; q += 0.05) {
            assertThat(merged.quantile(q)).isEqualTo(all.quantile(q));
        }
        assertThatThrownBy(() -> merged.merge(new QuantileSketch(0.02, 1000))).hasMessageContaining("different accuracy");
    }

    @Test
    void aChangedValueIsRemovedAndAddedAgainAsIfItHadAlwaysBeenTheNewOne() {
        QuantileSketch changed = new QuantileSketch(ALPHA, 100);
        QuantileSketch direct = new QuantileSketch(ALPHA, 100);
        for (int i = 1; i <= 50; i++) {
            changed.add(i);
            changed.add(i * 1000.5);
            direct.add(i == 7 ? 8 : i);
            direct.add(i == 7 ? 9000.5 : i * 1000.5);
        }
        changed.remove(7);
        changed.add(8);
        changed.remove(7003.5);
        changed.add(9000.5);
        for (double q = 0.1; q < 1; q += 0.1) {
            assertThat(changed.quantile(q)).isEqualTo(direct.quantile(q));
        }
        assertThatThrownBy(() -> changed.remove(7)).hasMessageContaining("was not in the sketch");
    }
}
