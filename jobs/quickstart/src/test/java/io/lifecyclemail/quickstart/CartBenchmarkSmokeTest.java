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
    void theGeneratorIsDeterministicSkewedInEventTimeOrderAndFollowsOrdersUp() throws Exception {
        ShopStream stream = new ShopStream(200_000, 10_000, 7, ShopStream.Mix.SHOP);
        ShopStream again = new ShopStream(200_000, 10_000, 7, ShopStream.Mix.SHOP);
        int[] perCustomer = new int[10_000];
        long previous = Long.MIN_VALUE;
        java.util.Map<String, String> placedBy = new java.util.HashMap<>(); // order id -> customer
        java.util.Map<io.lifecyclemail.schema.OrderEventType, Integer> orderTypes = new java.util.EnumMap<>(
                io.lifecyclemail.schema.OrderEventType.class);
        int stockChanges = 0;
        int outOfStock = 0;
        for (long position = 0; position < stream.events(); position++) {
            var event = stream.event(position);
            assertThat(event).isEqualTo(again.event(position));
            long time = event instanceof io.lifecyclemail.schema.InventoryChange change
                    ? change.getEventTime().toEpochMilli()
                    : io.lifecyclemail.decision.CustomerInputs.eventTime(new io.lifecyclemail.state.CustomerInput(event));
            assertThat(time).isGreaterThan(previous);
            previous = time;
            if (event instanceof io.lifecyclemail.schema.InventoryChange change) {
                stockChanges++;
                outOfStock += change.getStockLevel() == 0 ? 1 : 0;
                continue;
            }
            if (event instanceof io.lifecyclemail.schema.OrderEvent order) {
                orderTypes.merge(order.getType(), 1, Integer::sum);
                if (order.getType() == io.lifecyclemail.schema.OrderEventType.PLACED) {
                    placedBy.put(order.getOrderId(), order.getCustomerId());
                } else { // a shipment or cancellation follows an order the same customer placed earlier
                    assertThat(placedBy.get(order.getOrderId())).as(order.getOrderId()).isEqualTo(order.getCustomerId());
                }
            }
            String customer = io.lifecyclemail.decision.CustomerInputs.customerId(
                    new io.lifecyclemail.state.CustomerInput(event));
            perCustomer[Integer.parseInt(customer.substring(1))]++;
        }
        int placed = orderTypes.get(io.lifecyclemail.schema.OrderEventType.PLACED);
        int shipped = orderTypes.get(io.lifecyclemail.schema.OrderEventType.SHIPPED);
        int cancelled = orderTypes.get(io.lifecyclemail.schema.OrderEventType.CANCELLED);
        assertThat((double) (shipped + cancelled) / placed).as("orders followed up").isBetween(0.7, 1.0);
        assertThat((double) cancelled / (shipped + cancelled)).as("cancelled of followed up").isBetween(0.03, 0.1);
        assertThat((double) stockChanges / stream.events()).as("stock changes").isBetween(0.007, 0.012);
        assertThat((double) outOfStock / stockChanges).as("out of stock").isBetween(0.4, 0.6);
        int withPoints = 0;
        int withoutConsent = 0;
        for (int customer = 0; customer < 10_000; customer++) {
            var profile = (io.lifecyclemail.schema.CustomerProfile) stream.event(customer);
            assertThat(profile.getBirthday()).isNotNull();
            assertThat(profile.getRegisteredAt()).isBefore(ShopStream.START);
            withPoints += profile.getPointsExpiry() != null ? 1 : 0;
            withoutConsent += profile.getMarketingConsent() ? 0 : 1;
        }
        assertThat(withPoints).as("profiles with expiring points").isBetween(3_500, 4_500);
        assertThat(withoutConsent).as("profiles without consent").isBetween(700, 1_300);
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
