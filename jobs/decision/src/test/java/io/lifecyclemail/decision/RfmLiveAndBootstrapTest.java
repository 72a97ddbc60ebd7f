package io.lifecyclemail.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.rfm.RfmSettings;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.RfmSeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same generated order history through the live job (orders as events, cancellations as
 * cancellation events, parallelism 2, sketches merged across shards) and through the bootstrap (the
 * history as a CSV with cancelled and broken rows): identical R, F and M per customer; bootstrap
 * scores equal to a straightforward exact computation here; live scores equal for R and F (exact
 * sketches) and for M wherever the customer's total is not within twice the sketch's bound of a boundary.
 */
class RfmLiveAndBootstrapTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final Instant AS_OF = Instant.parse("2026-11-01T00:00:00Z"); // a multiple of the 1-day interval
    static final double USD_RATE = 150;

    /** One generated order: what both sides see (the CSV marks cancelled ones; the live job gets a cancellation). */
    record Order(String id, String customer, Instant time, long yen, boolean usd, boolean cancelled) {}

    /** Customers who come back within 90 days less often after their 1st and 2nd purchase than after their 3rd. */
    static List<Order> history(int customers, long seed) {
        Random random = new Random(seed);
        List<Order> orders = new ArrayList<>();
        for (int c = 0; c < customers; c++) {
            String customer = "c" + c;
            Instant time = AS_OF.minus(Duration.ofMinutes(random.nextInt(700 * 24 * 60)));
            for (int k = 1; time.isBefore(AS_OF); k++) {
                boolean usd = random.nextInt(30) == 0;
                long yen = usd ? 150L * (5 + random.nextInt(300)) : 500 + random.nextInt(60_000);
                boolean cancelled = random.nextInt(20) == 0 && time.isBefore(AS_OF.minus(Duration.ofDays(3)));
                orders.add(new Order("o" + orders.size(), customer, time, yen, usd, cancelled));
                double comesBack = k == 1 ? 0.35 : k == 2 ? 0.45 : 0.85;
                if (random.nextDouble() < comesBack) {
                    time = time.plus(Duration.ofMinutes(60 + random.nextInt(85 * 24 * 60)));
                } else if (random.nextDouble() < 0.3) {
                    time = time.plus(Duration.ofDays(100 + random.nextInt(200)));
                } else {
                    break;
                }
            }
        }
        return orders;
    }

    static Path csv(List<Order> orders, Path folder) throws Exception {
        StringBuilder csv = new StringBuilder("order_id,customer_id,order_time,amount,cancelled,currency\n");
        for (Order order : orders) {
            // half the times with a Tokyo offset: the same instant either way
            String time = order.id().hashCode() % 2 == 0 ? order.time().toString()
                    : order.time().atOffset(ZoneOffset.ofHours(9)).toString();
            String amount = order.usd() ? String.format("%.2f", order.yen() / USD_RATE) : Long.toString(order.yen());
            csv.append(order.id()).append(',').append(order.customer()).append(',').append(time).append(',')
                    .append(amount).append(',').append(order.cancelled() ? "true" : "").append(',')
                    .append(order.usd() ? "USD" : "JPY").append('\n');
        }
        for (int i = 0; i < 7; i++) {
            csv.append("bad-a").append(i).append(",,2026-01-01T00:00:00Z,100,,JPY\n");
            csv.append("bad-b").append(i).append(",c1,2026-01-01T00:00:00Z,0,,JPY\n");
        }
        csv.append("bad-c,c2,yesterday,100,,JPY\n");
        csv.append("late,c3,").append(AS_OF.plusSeconds(1)).append(",100,,JPY\n");
        Path file = folder.resolve("orders.csv");
        Files.writeString(file, csv);
        return file;
    }

    static Settings bootstrapSettings(Path csv, Path out) {
        return Settings.parse(RfmBootstrap.options(), "--orders", csv.toString(), "--as-of", AS_OF.toString(),
                "--out", out.toString(), "--rfm.rates", "USD=" + (int) USD_RATE, "--rfm.order-memory", "3650d");
    }

    /** The straightforward exact computation: per customer R (UTC days), F, M from the orders not cancelled. */
    record Rfm(long recencyDays, int frequency, long monetary) {}

    static Map<String, Rfm> exactRfm(List<Order> orders) {
        Map<String, long[]> sums = new TreeMap<>(); // last purchase ms, count, total
        for (Order order : orders) {
            if (order.cancelled()) {
                continue;
            }
            long[] sum = sums.computeIfAbsent(order.customer(), k -> new long[] {Long.MIN_VALUE, 0, 0});
            sum[0] = Math.max(sum[0], order.time().toEpochMilli());
            sum[1]++;
            sum[2] += order.yen();
        }
        Map<String, Rfm> rfm = new TreeMap<>();
        LocalDate asOf = AS_OF.atZone(ZoneOffset.UTC).toLocalDate();
        sums.forEach((customer, sum) -> rfm.put(customer, new Rfm(ChronoUnit.DAYS.between(
                Instant.ofEpochMilli(sum[0]).atZone(ZoneOffset.UTC).toLocalDate(), asOf), (int) sum[1], sum[2])));
        return rfm;
    }

    /** Boundaries at the 20/40/60/80th percentile by nearest rank, and a score of 1 + boundaries beaten. */
    static double[] boundaries(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] result = new double[4];
        for (int k = 1; k <= 4; k++) {
            result[k - 1] = sorted[(int) Math.ceil(k * sorted.length / 5.0) - 1];
        }
        return result;
    }

    static int score(double value, double[] boundaries, boolean higherIsBetter) {
        int score = 1;
        for (double boundary : boundaries) {
            score += higherIsBetter ? (value > boundary ? 1 : 0) : (value < boundary ? 1 : 0);
        }
        return score;
    }

    @Test
    void liveJobAndBootstrapAgreeOnTheSameHistory(@TempDir Path folder) throws Exception {
        List<Order> orders = history(900, 7);
        Map<String, Rfm> exact = exactRfm(orders);
        assertThat(exact).hasSizeGreaterThan(800);

        // the bootstrap, in Flink batch mode, from the CSV
        RfmBootstrap.Report report = RfmBootstrap.run(bootstrapSettings(csv(orders, folder), folder.resolve("out")),
                StreamExecutionEnvironment.getExecutionEnvironment());
        long cancelled = orders.stream().filter(Order::cancelled).count();
        assertThat(cancelled).isGreaterThan(10);
        assertThat(report.dropped()).containsEntry("cancelled order", cancelled).containsEntry("no customer id", 7L)
                .containsEntry("missing or non-positive amount, quantity or price", 7L)
                .containsEntry("unreadable time", 1L).containsEntry("at or after the as-of time", 1L);
        List<String> rows = Files.readAllLines(folder.resolve("out/rfm-report.csv"));
        assertThat(rows.get(0)).startsWith("customer_id,first_order_time,last_purchase_time,recency_days,frequency,");
        Map<String, String[]> reported = new HashMap<>();
        rows.stream().skip(1).map(row -> row.split(",")).forEach(cells -> reported.put(cells[0], cells));

        // the exact scores, computed here independently, against the report file
        double[] r = boundaries(exact.values().stream().mapToDouble(Rfm::recencyDays).toArray());
        double[] f = boundaries(exact.values().stream().mapToDouble(Rfm::frequency).toArray());
        double[] m = boundaries(exact.values().stream().mapToDouble(Rfm::monetary).toArray());
        assertThat(reported).hasSameSizeAs(exact);
        exact.forEach((customer, rfm) -> {
            String[] cells = reported.get(customer);
            assertThat(cells).as(customer).isNotNull();
            assertThat(List.of(cells[3], cells[4], cells[5])).as("R, F, M of " + customer).containsExactly(
                    Long.toString(rfm.recencyDays()), Integer.toString(rfm.frequency()), Long.toString(rfm.monetary()));
            assertThat(List.of(cells[7], cells[8], cells[9])).as("scores of " + customer).containsExactly(
                    Integer.toString(score(rfm.recencyDays(), r, false)), Integer.toString(score(rfm.frequency(), f, true)),
                    Integer.toString(score(rfm.monetary(), m, true)));
        });
        assertThat(report.summary().getMonetaryBoundaries()).containsExactly(m[0], m[1], m[2], m[3]);
        assertThat(report.summary().getBranchingPoint()).as("churn falls most after the 3rd purchase").isEqualTo(3);
        assertThat(Files.readString(folder.resolve("out/rfm-report.txt"))).contains("branching point: 3 purchases")
                .contains("cancelled order=" + cancelled);

        // the live job, on the orders as events, at parallelism 2
        Live live = live(orders, null, AS_OF);
        RfmSummary summary = live.lastSummary();
        assertThat(summary.getAsOf()).isEqualTo(AS_OF);
        assertThat(summary.getBuyers()).isEqualTo(exact.size());
        assertThat(summary.getRecencyBoundaries()).containsExactly(r[0], r[1], r[2], r[3]);
        assertThat(summary.getFrequencyBoundaries()).containsExactly(f[0], f[1], f[2], f[3]);
        double alpha = summary.getMonetaryRelativeError();
        for (int i = 0; i < 4; i++) {
            assertThat(summary.getMonetaryBoundaries().get(i)).as("monetary boundary %d within alpha", i)
                    .isBetween(m[i] * (1 - alpha), m[i] * (1 + alpha));
        }
        assertThat(summary.getRanks().stream().mapToLong(rank -> rank.getCustomers()).sum()).as("every buyer ranked once")
                .isEqualTo(exact.size());
        long top = summary.getRanks().stream().filter(rank -> List.of("super-loyal", "loyal", "loyal-candidate")
                .contains(rank.getRank())).mapToLong(rank -> rank.getCustomers()).sum();
        assertThat((double) top / exact.size()).as("the top share by total amount").isBetween(0.27, 0.30);
        assertThat(summary.getRanks()).allSatisfy(rank -> assertThat(rank.getCustomers()).isPositive());

        int monetaryDiffers = 0;
        for (Map.Entry<String, Rfm> entry : exact.entrySet()) {
            RfmRecord record = live.latest().get(entry.getKey());
            Rfm rfm = entry.getValue();
            assertThat(record).as(entry.getKey()).isNotNull();
            long recency = ChronoUnit.DAYS.between(record.getLastPurchaseTime().atZone(ZoneOffset.UTC).toLocalDate(),
                    AS_OF.atZone(ZoneOffset.UTC).toLocalDate());
            assertThat(List.of(recency, (long) record.getFrequency(), record.getMonetaryMinor()))
                    .as("live R, F, M of " + entry.getKey())
                    .containsExactly(rfm.recencyDays(), (long) rfm.frequency(), rfm.monetary());
            assertThat(record.getRecencyScore()).isEqualTo(score(rfm.recencyDays(), r, false));
            assertThat(record.getFrequencyScore()).isEqualTo(score(rfm.frequency(), f, true));
            int exactMonetary = score(rfm.monetary(), m, true);
            if (record.getMonetaryScore() != exactMonetary) {
                monetaryDiffers++;
                // the boundary and the total are each kept within alpha: they can only swap sides within 2 alpha
                assertThat(Arrays.stream(m).anyMatch(b -> Math.abs(rfm.monetary() - b) <= 2 * alpha * b))
                        .as("%s's total %d differs in score only near a boundary %s", entry.getKey(), rfm.monetary(),
                                Arrays.toString(m)).isTrue();
            }
            assertThat(record.getRank()).isNotNull();
        }
        assertThat(monetaryDiffers).as("at most a few customers sit within alpha of a boundary").isLessThan(exact.size() / 20);
    }

    /** The live pipeline's outputs, per customer the record published last. */
    record Live(Map<String, RfmRecord> latest, List<RfmSummary> summaries) {
        RfmSummary lastSummary() {
            return summaries.stream().max(java.util.Comparator.comparing(RfmSummary::getAsOf)).orElseThrow();
        }
    }

    @Test
    void theLiveJobStartsFromTheBootstrapsSeed(@TempDir Path folder) throws Exception {
        List<Order> orders = history(200, 3);
        Map<String, Rfm> exact = exactRfm(orders);
        RfmBootstrap.run(bootstrapSettings(csv(orders, folder), folder.resolve("out")),
                StreamExecutionEnvironment.getExecutionEnvironment());
        Order c1Latest = orders.stream().filter(o -> o.customer().equals("c1") && !o.cancelled() && !o.usd())
                .max(java.util.Comparator.comparing(Order::time)).orElseThrow();
        // after the as-of time: c0 buys, and c1 cancels an order the live job never saw placed (the seed remembers it)
        List<Order> later = List.of(new Order("new-1", "c0", AS_OF.plus(Duration.ofDays(1)), 5000, false, false),
                new Order(c1Latest.id(), "c1", AS_OF.plus(Duration.ofDays(1)), 0, false, false));
        Live live = liveFromSeed(later, folder.resolve("out/rfm-seed.jsonl"), AS_OF.plus(Duration.ofDays(3)));

        assertThat(live.lastSummary().getAsOf()).isEqualTo(AS_OF.plus(Duration.ofDays(3)));
        assertThat(live.lastSummary().getBuyers()).as("the seeded customers are the population").isEqualTo(exact.size());
        exact.forEach((customer, rfm) -> {
            RfmRecord record = live.latest().get(customer);
            assertThat(record).as(customer).isNotNull();
            int frequency = rfm.frequency() + (customer.equals("c0") ? 1 : customer.equals("c1") ? -1 : 0);
            long monetary = rfm.monetary() + (customer.equals("c0") ? 5000 : customer.equals("c1") ? -c1Latest.yen() : 0);
            assertThat(List.of((long) record.getFrequency(), record.getMonetaryMinor())).as(customer)
                    .containsExactly((long) frequency, monetary);
        });
    }

    /** The live pipeline started from a seed file; {@code later} are placed orders, or cancellations when their amount is 0. */
    static Live liveFromSeed(List<Order> later, Path seeds, Instant until) throws Exception {
        List<OrderEvent> events = new ArrayList<>();
        for (Order order : later) {
            OrderEvent.Builder event = OrderEvent.newBuilder().setEventId("e-" + order.id() + order.time())
                    .setEventTime(order.time()).setCustomerId(order.customer()).setOrderId(order.id());
            events.add(order.yen() == 0 ? event.setType(OrderEventType.CANCELLED).build()
                    : event.setType(OrderEventType.PLACED).setTotalMinor(order.yen()).setCurrency("JPY").build());
        }
        return run(events, seeds, until);
    }

    static Live live(List<Order> orders, Path seeds, Instant until) throws Exception {
        List<OrderEvent> events = new ArrayList<>();
        for (Order order : orders) {
            events.add(OrderEvent.newBuilder().setEventId("e-" + order.id()).setEventTime(order.time())
                    .setCustomerId(order.customer()).setOrderId(order.id()).setType(OrderEventType.PLACED)
                    .setTotalMinor(order.usd() ? Math.round(order.yen() / USD_RATE * 100) : order.yen())
                    .setCurrency(order.usd() ? "USD" : "JPY").build());
            if (order.cancelled()) {
                events.add(OrderEvent.newBuilder().setEventId("c-" + order.id()).setEventTime(order.time().plus(Duration.ofDays(2)))
                        .setCustomerId(order.customer()).setOrderId(order.id()).setType(OrderEventType.CANCELLED).build());
            }
        }
        return run(events, seeds, until);
    }

    static Live run(List<OrderEvent> events, Path seeds, Instant until) throws Exception {
        events.sort(java.util.Comparator.comparing(OrderEvent::getEventTime));
        StreamExecutionEnvironment env = DecisionPipelineTest.environment("rocksdb");
        RfmSettings settings = RfmBootstrap.settings(Settings.parse(RfmBootstrap.options(), "--rfm.rates",
                "USD=" + (int) USD_RATE, "--rfm.order-memory", "3650d"));
        DataStream<RfmSeed> seedStream = seeds == null ? null
                : io.lifecyclemail.decision.flink.JsonLinesFiles.read(env, seeds.toString(), RfmSeed.class, RfmSeed::getAsOf, "rfm-seeds");
        DataStream<CustomerProfile> noProfiles = DecisionPipelineTest.source(env, List.of(
                CustomerProfile.newBuilder().setEventId("p").setEventTime(AS_OF.minus(Duration.ofDays(800)))
                        .setCustomerId("nobody").setEmail("n@example.com").setName("n").setLocale("en").build()),
                CustomerProfile.class, p -> p.getEventTime(), "profiles");
        RfmPipeline.Outputs outputs = RfmPipeline.build(
                DecisionPipelineTest.source(env, events, OrderEvent.class, e -> e.getEventTime(), "orders"),
                noProfiles, seedStream, settings, List.of(), until.toEpochMilli(), LatePolicy.DEFAULT);
        Map<String, RfmRecord> latest = new HashMap<>();
        List<RfmSummary> summaries = new ArrayList<>();
        try (CloseableIterator<RfmRecord> records = outputs.records().collectAsync();
             CloseableIterator<RfmSummary> summarised = outputs.summaries().collectAsync()) {
            env.execute("rfm live");
            records.forEachRemaining(record -> latest.merge(record.getCustomerId(), record,
                    (a, b) -> b.getAsOf().isBefore(a.getAsOf()) ? a : b));
            summarised.forEachRemaining(summaries::add);
        }
        return new Live(latest, summaries);
    }
}
