package io.lifecyclemail.decision;

import io.lifecyclemail.common.files.AvroJsonLines;
import io.lifecyclemail.common.options.Option;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.flink.JsonLinesFiles;
import io.lifecyclemail.decision.rfm.OrderHistoryCsv;
import io.lifecyclemail.decision.rfm.QuintileScores;
import io.lifecyclemail.decision.rfm.RfmPopulation;
import io.lifecyclemail.decision.rfm.RfmRanking;
import io.lifecyclemail.decision.rfm.RfmScoring;
import io.lifecyclemail.decision.rfm.RfmSettings;
import io.lifecyclemail.schema.ChurnStep;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.RankSize;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.PopulationCounts;
import io.lifecyclemail.state.RfmChange;
import io.lifecyclemail.state.RfmSeed;
import io.lifecyclemail.state.RfmState;
import io.lifecyclemail.state.RfmValues;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * RFM from a shop's order history, as of a date: reads the orders CSV (cleaning rules as options,
 * what was dropped counted), runs the live job's {@code customer-rfm} stage over it in Flink batch
 * mode, scores every customer against the exact quintiles of all of them, and writes
 * <ul>
 *   <li>{@code rfm-report.csv}: one row per customer (R in days, F, M, scores, rank, LTV);</li>
 *   <li>{@code rfm-report.txt}: boundaries, branching point with its curve, return point, rank sizes,
 *       rows read and dropped;</li>
 *   <li>{@code rfm-summary.json}: the same summary as an rfm-summary record;</li>
 *   <li>{@code rfm-seed.jsonl}: each customer's state, for the live job's {@code --rfm.seed}.</li>
 * </ul>
 */
public final class RfmBootstrap {
    public static final String NAME = "lifecycle-mail RFM bootstrap";

    static final Option<String> ORDERS = Option.string("orders", "", "The order history CSV (required).");
    static final Option<String> AS_OF = Option.string("as-of", "", "The time the report is as of (ISO-8601, required): "
            + "orders at or after it are left out and counted; the live job starts its orders input here.");
    static final Option<String> OUT = Option.string("out", "target/rfm-bootstrap", "Folder the report and seed go to.");
    static final Option<String> COLUMN_ORDER_ID = Option.string("csv.order-id", OrderHistoryCsv.Columns.DEFAULTS.orderId(),
            "Column of the order id (rows of one order are next to each other).");
    static final Option<String> COLUMN_CUSTOMER_ID = Option.string("csv.customer-id",
            OrderHistoryCsv.Columns.DEFAULTS.customerId(), "Column of the customer id.");
    static final Option<String> COLUMN_TIME = Option.string("csv.time", OrderHistoryCsv.Columns.DEFAULTS.time(),
            "Column of the order time: ISO-8601 with an offset (2024-05-01T10:00:00+09:00), or without one in csv.default-zone.");
    static final Option<String> COLUMN_AMOUNT = Option.string("csv.amount", OrderHistoryCsv.Columns.DEFAULTS.amount(),
            "Column of the order total in major units; when the file has none, csv.quantity x csv.unit-price per row.");
    static final Option<String> COLUMN_QUANTITY = Option.string("csv.quantity", OrderHistoryCsv.Columns.DEFAULTS.quantity(),
            "Column of a row's quantity.");
    static final Option<String> COLUMN_UNIT_PRICE = Option.string("csv.unit-price",
            OrderHistoryCsv.Columns.DEFAULTS.unitPrice(), "Column of a row's unit price in major units.");
    static final Option<String> COLUMN_CANCELLED = Option.string("csv.cancelled", OrderHistoryCsv.Columns.DEFAULTS.cancelled(),
            "Column marking a cancelled order (true/yes/1/cancelled); optional.");
    static final Option<String> COLUMN_CURRENCY = Option.string("csv.currency", OrderHistoryCsv.Columns.DEFAULTS.currency(),
            "Column of the currency (ISO 4217); optional, else rfm.currency.");
    static final Option<String> DEFAULT_ZONE = Option.string("csv.default-zone", "UTC",
            "Zone of times written without an offset.");
    static final Option<Boolean> KEEP_CANCELLED = Option.bool("csv.keep-cancelled", false,
            "Count orders marked cancelled as purchases (by default they are dropped and counted).");

    private RfmBootstrap() {}

    public static List<Option<?>> options() {
        List<Option<?>> all = new ArrayList<>(List.of(ORDERS, AS_OF, OUT, COLUMN_ORDER_ID, COLUMN_CUSTOMER_ID, COLUMN_TIME,
                COLUMN_AMOUNT, COLUMN_QUANTITY, COLUMN_UNIT_PRICE, COLUMN_CANCELLED, COLUMN_CURRENCY, DEFAULT_ZONE,
                KEEP_CANCELLED));
        all.addAll(List.of(DecisionOptions.RFM_CURRENCY, DecisionOptions.RFM_RATES, DecisionOptions.RFM_ORDER_MEMORY,
                DecisionOptions.RFM_CHURN_WINDOW, DecisionOptions.RFM_TOP_SHARE, DecisionOptions.RFM_SUPER_LOYAL_SHARE,
                DecisionOptions.RFM_MIN_CUSTOMERS));
        return all;
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parseOrHelp(NAME, options(), args).orElse(null);
        if (settings == null) {
            return;
        }
        Report report = run(settings, StreamExecutionEnvironment.getExecutionEnvironment());
        System.out.println(report.describe());
    }

    /** What the bootstrap wrote and found. */
    public record Report(Path folder, long rows, Map<String, Long> dropped, long orders, RfmSummary summary,
                         Map<String, Scored> customers) {
        String describe() {
            return String.format("%d rows read, %d orders used, rows dropped %s%n%d customers as of %s; branching point %d; "
                            + "report in %s (rfm-report.csv, rfm-report.txt, rfm-summary.json); seed for the live job: %s",
                    rows, orders, dropped, customers.size(), summary.getAsOf(), summary.getBranchingPoint(), folder,
                    folder.resolve("rfm-seed.jsonl"));
        }
    }

    /** One customer of the report. */
    public record Scored(RfmState state, RfmValues values, long recencyDays, RfmScoring.Scored scores) {}

    public static Report run(Settings settings, StreamExecutionEnvironment env) throws Exception {
        Path csv = Path.of(require(settings, ORDERS));
        Instant asOf = Instant.parse(require(settings, AS_OF));
        Path out = Path.of(settings.get(OUT));
        Files.createDirectories(out);
        RfmSettings rfm = settings(settings);

        // 1. the CSV, cleaned, as order events a Flink file source reads in parallel
        OrderHistoryCsv history = new OrderHistoryCsv(new OrderHistoryCsv.Columns(settings.get(COLUMN_ORDER_ID),
                settings.get(COLUMN_CUSTOMER_ID), settings.get(COLUMN_TIME), settings.get(COLUMN_AMOUNT),
                settings.get(COLUMN_QUANTITY), settings.get(COLUMN_UNIT_PRICE), settings.get(COLUMN_CANCELLED),
                settings.get(COLUMN_CURRENCY)), new OrderHistoryCsv.Rules(ZoneId.of(settings.get(DEFAULT_ZONE)),
                settings.get(DecisionOptions.RFM_CURRENCY), settings.get(KEEP_CANCELLED)));
        Path orders = out.resolve("orders.jsonl");
        Map<String, Long> dropped = new LinkedHashMap<>();
        long[] used = {0};
        AvroJsonLines<OrderEvent> lines = AvroJsonLines.of(OrderEvent.class);
        try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
             BufferedWriter writer = Files.newBufferedWriter(orders, StandardCharsets.UTF_8)) {
            history.read(in, order -> {
                if (!order.getEventTime().isBefore(asOf)) {
                    dropped.merge("at or after the as-of time", 1L, Long::sum);
                    return;
                }
                try {
                    writer.write(lines.encode(order));
                    writer.newLine();
                    used[0]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        history.dropped().forEach((reason, n) -> dropped.merge(reason, n, Long::sum));

        // 2. the live job's customer-rfm stage, in batch mode: orders in event-time order per customer
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        DataStream<OrderEvent> events = JsonLinesFiles.read(env, orders.toString(), OrderEvent.class,
                order -> order.getEventTime().toEpochMilli(), "order-history");
        DataStream<RfmChange> changes = RfmPipeline.changes(events, null, null, rfm.rolling().carryingState(),
                asOf.toEpochMilli(), LatePolicy.DEFAULT);

        // 3. the whole population, on this machine: counts through the live job's code, exact boundaries
        PopulationCounts counts = RfmPopulation.empty();
        Map<String, RfmChange> latest = new TreeMap<>();
        try (CloseableIterator<RfmChange> all = changes.executeAndCollect(NAME)) {
            while (all.hasNext()) {
                RfmChange change = all.next();
                RfmPopulation.apply(counts, change, rfm);
                latest.merge(change.getCustomerId(), change, (a, b) -> b.getTime() >= a.getTime() ? b : a);
            }
        }
        RfmSummary summary = exact(RfmPopulation.summary(counts, asOf.toEpochMilli(), rfm), latest, rfm);
        Map<String, Scored> customers = new TreeMap<>();
        RfmRanking.Tally tally = new RfmRanking.Tally();
        for (RfmChange change : latest.values()) {
            RfmValues values = change.getAfter();
            if (values == null || values.getOrders() <= 0) {
                continue;
            }
            RfmScoring.Scored scored = RfmScoring.score(summary, values, asOf.toEpochMilli(), rfm.ranks());
            customers.put(change.getCustomerId(), new Scored(change.getState(), values,
                    RfmScoring.recencyDays(values, asOf.toEpochMilli()), scored));
            tally.add(scored.rank(), 1, values.getOrders(), values.getTotalMinor(), values.getOrders() >= 2 ? 1 : 0);
        }
        summary.setRanks(tally.sizes());

        write(out, asOf, summary, customers, history.rows(), dropped, used[0]);
        Files.deleteIfExists(orders);
        return new Report(out, history.rows(), dropped, used[0], summary, customers);
    }

    /** The summary with exact monetary boundaries and thresholds (the live job's are within alpha). */
    static RfmSummary exact(RfmSummary summary, Map<String, RfmChange> latest, RfmSettings rfm) {
        double[] totals = latest.values().stream().map(RfmChange::getAfter)
                .filter(values -> values != null && values.getOrders() > 0)
                .mapToDouble(values -> values.getTotalMinor()).sorted().toArray();
        if (totals.length == 0) {
            return summary;
        }
        double[] boundaries = QuintileScores.of(totals, true).boundaries();
        double[] thresholds = rfm.ranks().thresholds(q -> totals[(int) QuintileScores.nearestRank(q, totals.length) - 1]);
        return RfmSummary.newBuilder(summary).setMonetaryBoundaries(Arrays.stream(boundaries).boxed().toList())
                .setTopThresholdMinor(thresholds[0]).setSuperLoyalThresholdMinor(thresholds[1])
                .setMonetaryRelativeError(0).build();
    }

    static RfmSettings settings(Settings settings) {
        return new RfmSettings(DecisionJob.rollingRfm(settings), RfmSettings.DEFAULT_INTERVAL, RfmSettings.DEFAULT_ALPHA,
                new io.lifecyclemail.decision.rfm.CustomerRanks(settings.get(DecisionOptions.RFM_SUPER_LOYAL_SHARE),
                        settings.get(DecisionOptions.RFM_TOP_SHARE)),
                settings.get(DecisionOptions.RFM_CHURN_WINDOW), RfmSettings.DEFAULT_MAX_PURCHASES,
                settings.get(DecisionOptions.RFM_MIN_CUSTOMERS), RfmSettings.DEFAULT_SHARDS, RfmSettings.DEFAULT_RETURN_WEEKS);
    }

    private static String require(Settings settings, Option<String> option) {
        String value = settings.get(option);
        if (value.isBlank()) {
            throw new IllegalArgumentException("option --" + option.key() + " is required: " + option.description());
        }
        return value;
    }

    private static void write(Path out, Instant asOf, RfmSummary summary, Map<String, Scored> customers, long rows,
                              Map<String, Long> dropped, long orders) throws IOException {
        try (BufferedWriter csv = Files.newBufferedWriter(out.resolve("rfm-report.csv"), StandardCharsets.UTF_8)) {
            csv.write("customer_id,first_order_time,last_purchase_time,recency_days,frequency,monetary_minor,"
                    + "average_order_minor,recency_score,frequency_score,monetary_score,rank,ltv_minor");
            csv.newLine();
            for (Map.Entry<String, Scored> entry : customers.entrySet()) {
                Scored customer = entry.getValue();
                RfmValues values = customer.values();
                RfmScoring.Scored scores = customer.scores();
                csv.write(String.join(",", quoted(entry.getKey()), Instant.ofEpochMilli(values.getFirstOrderTime()).toString(),
                        Instant.ofEpochMilli(values.getLastPurchaseTime()).toString(), Long.toString(customer.recencyDays()),
                        Integer.toString(values.getOrders()), Long.toString(values.getTotalMinor()),
                        Long.toString(values.getTotalMinor() / values.getOrders()), Integer.toString(scores.recency()),
                        Integer.toString(scores.frequency()), Integer.toString(scores.monetary()), scores.rank().label(),
                        Long.toString(scores.ltvMinor())));
                csv.newLine();
            }
        }
        Files.writeString(out.resolve("rfm-summary.json"), AvroJsonLines.of(RfmSummary.class).encode(summary) + "\n");
        StringBuilder text = new StringBuilder();
        text.append("RFM as of ").append(asOf).append(" (").append(summary.getCurrency()).append(", minor units)\n");
        text.append("rows read: ").append(rows).append("; orders used: ").append(orders).append("\n");
        text.append("dropped rows (by reason): ").append(dropped.isEmpty() ? "none" : dropped.toString()).append("\n");
        text.append("buyers: ").append(summary.getBuyers()).append("; repeat rate: ")
                .append(String.format("%.4f", summary.getRepeatRate())).append("\n");
        text.append("quintile boundaries (20/40/60/80th percentile, exact):\n");
        text.append("  recency days: ").append(summary.getRecencyBoundaries()).append("\n");
        text.append("  frequency:    ").append(summary.getFrequencyBoundaries()).append("\n");
        text.append("  monetary:     ").append(summary.getMonetaryBoundaries()).append("\n");
        text.append("top share above ").append(summary.getTopThresholdMinor()).append(", super-loyal above ")
                .append(summary.getSuperLoyalThresholdMinor()).append("\n");
        text.append("branching point: ").append(summary.getBranchingPoint()).append(" purchases (churn = no purchase within ")
                .append(summary.getChurnWindowDays()).append(" days)\n");
        for (ChurnStep step : summary.getBranchingCurve()) {
            text.append(String.format("  after purchase %2d: %8d customers, %8d churned, churn %.3f%n", step.getPurchases(),
                    step.getCustomers(), step.getChurned(), step.getChurnRate()));
        }
        text.append("return point for customers before the branching point: ").append(summary.getReturnPointDays())
                .append(" days since the last purchase\n");
        text.append("ranks:\n");
        for (RankSize rank : summary.getRanks()) {
            text.append(String.format("  %-16s %8d customers, average order %d, repeat rate %.3f, LTV %d%n", rank.getRank(),
                    rank.getCustomers(), rank.getAverageOrderMinor(), rank.getRepeatRate(), rank.getLtvMinor()));
        }
        Files.writeString(out.resolve("rfm-report.txt"), text.toString());
        AvroJsonLines<RfmSeed> seeds = AvroJsonLines.of(RfmSeed.class);
        try (BufferedWriter seed = Files.newBufferedWriter(out.resolve("rfm-seed.jsonl"), StandardCharsets.UTF_8)) {
            for (Map.Entry<String, Scored> entry : customers.entrySet()) {
                seed.write(seeds.encode(new RfmSeed(entry.getKey(), asOf.toEpochMilli(), entry.getValue().state())));
                seed.newLine();
            }
        }
    }

    private static String quoted(String cell) {
        return cell.contains(",") || cell.contains("\"") ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
    }

}
