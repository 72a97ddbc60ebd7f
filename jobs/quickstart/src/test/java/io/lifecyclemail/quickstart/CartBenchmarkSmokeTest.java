package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.junit.jupiter.api.Test;

/**
 * W1 at a smoke size, as CI runs it: the decision job, the CEP pattern and the plain loop must emit
 * exactly the same triggers over the same generated input. (Speed is the benchmark's business, not a
 * test's: nothing here is timed.)
 */
class CartBenchmarkSmokeTest {
    static List<Tuple2<String, Long>> sorted(CartBenchmark.Result result) {
        return result.kept().stream().sorted(Comparator.<Tuple2<String, Long>, String>comparing(t -> t.f0)
                .thenComparing(t -> t.f1)).toList();
    }

    @Test
    void theJobTheCepPatternAndThePlainLoopEmitTheSameTriggers() throws Exception {
        ShopStream stream = new ShopStream(80_000, 4_000, 7, ShopStream.Mix.NO_REMOVALS);
        CartBenchmark.Result loop = CartBenchmark.loop(stream, true);
        CartBenchmark.Result job = CartBenchmark.job(stream, "rocksdb", 2, true);
        CartBenchmark.Result cep = CartBenchmark.cep(stream, "hashmap", 2, true);

        assertThat(loop.triggers()).as("the input has abandoned carts").isGreaterThan(1_000);
        assertThat(loop.kept()).hasSize((int) loop.triggers());
        assertThat(sorted(job)).isEqualTo(sorted(loop));
        assertThat(sorted(cep)).isEqualTo(sorted(loop));
        assertThat(job.checksum()).isEqualTo(loop.checksum());
    }

    @Test
    void theGeneratorIsDeterministicSkewedAndInEventTimeOrder() throws Exception {
        ShopStream stream = new ShopStream(200_000, 10_000, 7, ShopStream.Mix.SHOP);
        ShopStream again = new ShopStream(200_000, 10_000, 7, ShopStream.Mix.SHOP);
        int[] perCustomer = new int[10_000];
        long previous = Long.MIN_VALUE;
        for (long position = 0; position < stream.events(); position++) {
            var input = stream.at(position);
            assertThat(input).isEqualTo(again.at(position));
            long time = io.lifecyclemail.decision.CustomerInputs.eventTime(input);
            assertThat(time).isGreaterThan(previous);
            previous = time;
            perCustomer[Integer.parseInt(io.lifecyclemail.decision.CustomerInputs.customerId(input).substring(1))]++;
        }
        int[] counts = perCustomer.clone();
        java.util.Arrays.sort(counts);
        long top1Percent = 0;
        for (int i = counts.length - 100; i < counts.length; i++) {
            top1Percent += counts[i];
        }
        assertThat((double) top1Percent / stream.events()).as("the busiest 1 %% of customers").isBetween(0.15, 0.35);
        assertThat(counts[counts.length / 2]).as("the median customer").isLessThan(20);
        // the splits of a 2-way source interleave: each is in order, and together they are every position once
        var generator = stream.generator(2);
        assertThat(generator.map(0L)).isEqualTo(stream.at(0));
        assertThat(generator.map(stream.events() / 2)).isEqualTo(stream.at(1));
        assertThat(generator.map(1L)).isEqualTo(stream.at(2));
    }
}
