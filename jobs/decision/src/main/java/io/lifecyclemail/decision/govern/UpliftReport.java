package io.lifecyclemail.decision.govern;

import io.lifecyclemail.common.files.AvroJsonLines;
import io.lifecyclemail.schema.Conversion;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Each scenario's uplift from exports of the {@code decisions} and {@code conversions} topics (Avro
 * JSON, one record per line): per scenario and version, the share of candidates that converted when
 * mailed (SENT) against when held out by the scenario's holdout (HELD_OUT, rule {@code <id>.holdout}),
 * the difference with a 95 % confidence interval, and revenue per candidate. The global control
 * group is shown as a second baseline. A candidate counts once, however many orders are credited to it.
 *
 * <pre>java -cp decision-job.jar io.lifecyclemail.decision.govern.UpliftReport decisions.jsonl conversions.jsonl</pre>
 */
public final class UpliftReport {
    private UpliftReport() {}

    /** One group of one scenario version: candidates, those converted, revenue credited. */
    public record Group(long candidates, long converted, long revenueMinor) {
        public double rate() {
            return candidates == 0 ? Double.NaN : converted / (double) candidates;
        }

        public double revenuePerCandidate() {
            return candidates == 0 ? Double.NaN : revenueMinor / (double) candidates;
        }
    }

    /**
     * @param uplift treated rate minus holdout rate (NaN without a holdout)
     * @param low lower end of its 95 % confidence interval (normal approximation)
     * @param high upper end
     */
    public record Row(String scenario, int version, Group treated, Group holdout, Group control, double uplift,
                      double low, double high) {}

    public static List<Row> compute(List<Decision> decisions, List<Conversion> conversions) {
        Map<String, Long> revenueByDecision = new HashMap<>();
        for (Conversion conversion : conversions) {
            revenueByDecision.merge(conversion.getDecisionId(), conversion.getAmountMinor(), Long::sum);
        }
        Map<String, long[][]> counts = new TreeMap<>(); // scenario@version -> group -> {candidates, converted, revenue}
        Set<String> seen = new HashSet<>();
        for (Decision decision : decisions) {
            int group = groupOf(decision);
            // a DEFERRED record comes before the final one; any record repeated counts once
            if (group < 0 || !seen.add(decision.getDecisionId())) {
                continue;
            }
            long[] cell = counts.computeIfAbsent(decision.getScenarioId() + "@" + decision.getScenarioVersion(),
                    key -> new long[3][3])[group];
            cell[0]++;
            Long revenue = revenueByDecision.get(decision.getDecisionId());
            if (revenue != null) {
                cell[1]++;
                cell[2] += revenue;
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, long[][]> entry : counts.entrySet()) {
            String[] key = entry.getKey().split("@");
            long[][] cells = entry.getValue();
            Group treated = new Group(cells[0][0], cells[0][1], cells[0][2]);
            Group holdout = new Group(cells[1][0], cells[1][1], cells[1][2]);
            Group control = new Group(cells[2][0], cells[2][1], cells[2][2]);
            double uplift = treated.rate() - holdout.rate();
            double error = 1.96 * Math.sqrt(variance(treated) + variance(holdout));
            rows.add(new Row(key[0], Integer.parseInt(key[1]), treated, holdout, control, uplift, uplift - error,
                    uplift + error));
        }
        return rows;
    }

    /** 0 treated, 1 held out by the scenario, 2 control group; -1 not a measured candidate. */
    private static int groupOf(Decision decision) {
        if (decision.getOutcome() == DecisionOutcome.SENT && !decision.getTransactional()) {
            return 0;
        }
        if (decision.getOutcome() == DecisionOutcome.HELD_OUT) {
            return decision.getRule().equals("control-group") ? 2 : 1;
        }
        return -1;
    }

    private static double variance(Group group) {
        double rate = group.rate();
        return group.candidates() == 0 ? Double.NaN : rate * (1 - rate) / group.candidates();
    }

    public static void print(List<Row> rows, PrintStream out) {
        out.println("scenario             v  mailed  conv.rate  held-out  conv.rate  uplift   95% interval        "
                + "revenue/candidate mailed vs held-out   control conv.rate");
        for (Row row : rows) {
            out.printf(Locale.ROOT, "%-20s %-2d %7d  %8s  %8d  %8s  %7s  %-18s  %10s vs %-10s  %7d  %8s%n", row.scenario(),
                    row.version(), row.treated().candidates(), percent(row.treated().rate()), row.holdout().candidates(),
                    percent(row.holdout().rate()), points(row.uplift()),
                    Double.isNaN(row.uplift()) ? "(no holdout)" : "[" + points(row.low()) + ", " + points(row.high()) + "]",
                    money(row.treated().revenuePerCandidate()), money(row.holdout().revenuePerCandidate()),
                    row.control().candidates(), percent(row.control().rate()));
        }
    }

    private static String percent(double rate) {
        return Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * rate);
    }

    private static String points(double difference) {
        return Double.isNaN(difference) ? "-" : String.format(Locale.ROOT, "%+.1fpp", 100 * difference);
    }

    private static String money(double minor) {
        return Double.isNaN(minor) ? "-" : String.format(Locale.ROOT, "%.0f", minor);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: UpliftReport <decisions.jsonl> <conversions.jsonl>");
            System.exit(2);
        }
        run(Path.of(args[0]), Path.of(args[1]), System.out);
    }

    /** Reads both exports, prints the report and returns its rows. */
    public static List<Row> run(Path decisions, Path conversions, PrintStream out) throws IOException {
        List<Row> rows = compute(read(decisions, Decision.class), read(conversions, Conversion.class));
        print(rows, out);
        return rows;
    }

    static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(Path file, Class<T> type) throws IOException {
        AvroJsonLines<T> lines = AvroJsonLines.of(type);
        try (var stream = Files.lines(file)) {
            return stream.filter(line -> !line.isBlank()).map(lines::decode).toList();
        }
    }
}
