package io.lifecyclemail.decision.rfm;

import io.lifecyclemail.schema.ChurnStep;
import io.lifecyclemail.schema.ReturnStep;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.PopulationCounts;
import io.lifecyclemail.state.RfmChange;
import io.lifecyclemail.state.RfmValues;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The buyers of a shop as mergeable counts, free of Flink: each shard of the live job folds its
 * customers' {@link RfmChange}s into {@link PopulationCounts}, the shards' counts are added up, and
 * {@link #summary} turns the sum into score boundaries, the branching curve and the return curve.
 * The bootstrap feeds the same changes through the same code.
 *
 * <p>What is counted: recency as the local day of each buyer's last purchase (with its zone, so that
 * days to any as-of time are exact), purchase counts exactly, totals in a {@link QuantileSketch}
 * (relative error alpha), and for the curves each purchase by its number and day, whether the next
 * came within the churn window, and the gap to it. Customers with no counted purchase are not buyers
 * and are not counted.
 */
public final class RfmPopulation {
    private static final long DAY = 86_400_000L;
    /** Totals are counted exactly only at 0 (free orders); every other total within alpha. */
    static final long MONETARY_EXACT_UP_TO = 0;

    private RfmPopulation() {}

    public static PopulationCounts empty() {
        return new PopulationCounts(new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>(),
                new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>());
    }

    /** Takes back the change's 'before', adds its 'after', and counts a newly placed purchase on the curves. */
    public static void apply(PopulationCounts counts, RfmChange change, RfmSettings settings) {
        RfmValues before = change.getBefore();
        RfmValues after = change.getAfter();
        count(counts, before, -1, settings);
        count(counts, after, +1, settings);
        if (change.getPlaced() && after != null) {
            int k = after.getOrders();
            if (k <= settings.maxPurchases()) {
                add(counts.getReached(), k + "|" + utcDay(change.getTime()), 1);
            }
            if (before != null && before.getOrders() >= 1 && change.getTime() >= before.getLastPurchaseTime()) {
                int previous = before.getOrders();
                long last = before.getLastPurchaseTime();
                if (previous <= settings.maxPurchases() && change.getTime() - last <= settings.churnWindow().toMillis()) {
                    add(counts.getCameBack(), previous + "|" + utcDay(last), 1);
                }
                ZoneId zone = ZoneId.of(after.getZone());
                long gap = ChronoUnit.DAYS.between(localDay(last, zone), localDay(change.getTime(), zone));
                add(counts.getGaps(), Math.min(previous, settings.maxPurchases()) + "|" + gap, 1);
            }
        }
    }

    private static void count(PopulationCounts counts, RfmValues values, long sign, RfmSettings settings) {
        if (values == null || values.getOrders() <= 0) {
            return;
        }
        int frequencyClass = Math.min(values.getOrders(), settings.maxPurchases());
        long day = localDay(values.getLastPurchaseTime(), ZoneId.of(values.getZone())).toEpochDay();
        add(counts.getLastDays(), frequencyClass + "|" + values.getZone() + "|" + day, sign);
        add(counts.getFrequencies(), Integer.toString(values.getOrders()), sign);
        String key = monetarySketch(settings, Map.of(), Map.of()).keyOf(Math.max(0, values.getTotalMinor()));
        add(key.charAt(0) == '=' ? counts.getMonetaryExact() : counts.getMonetaryBuckets(), key.substring(1), sign);
        String cell = frequencyClass + "|" + key;
        add(counts.getByRankCell(), cell, sign);
        add(counts.getCellTotals(), cell, sign * values.getTotalMinor());
        add(counts.getCellOrders(), cell, sign * values.getOrders());
    }

    private static void add(Map<String, Long> map, String key, long n) {
        long sum = map.getOrDefault(key, 0L) + n;
        if (sum == 0) {
            map.remove(key);
        } else {
            map.put(key, sum);
        }
    }

    /** Adds {@code other}'s counts to {@code into}. */
    public static void merge(PopulationCounts into, PopulationCounts other) {
        mergeMap(into.getLastDays(), other.getLastDays());
        mergeMap(into.getFrequencies(), other.getFrequencies());
        mergeMap(into.getMonetaryExact(), other.getMonetaryExact());
        mergeMap(into.getMonetaryBuckets(), other.getMonetaryBuckets());
        mergeMap(into.getByRankCell(), other.getByRankCell());
        mergeMap(into.getCellTotals(), other.getCellTotals());
        mergeMap(into.getCellOrders(), other.getCellOrders());
        mergeMap(into.getReached(), other.getReached());
        mergeMap(into.getCameBack(), other.getCameBack());
        mergeMap(into.getGaps(), other.getGaps());
    }

    private static void mergeMap(Map<String, Long> into, Map<String, Long> other) {
        other.forEach((key, n) -> add(into, key, n));
    }

    /** Totals are whole minor units; below 1 they are counted exactly (a free order), above within alpha. */
    static QuantileSketch monetarySketch(RfmSettings settings, Map<String, Long> exact, Map<String, Long> buckets) {
        return QuantileSketch.fromCounts(settings.alpha(), MONETARY_EXACT_UP_TO, exact, buckets);
    }

    /**
     * The population as of {@code asOf}: exact recency and frequency boundaries, monetary ones within
     * alpha, the rank thresholds, the repeat rate, both curves with their points, and the rank sizes
     * (each buyer's rank from the same thresholds and kept totals the rank stage scores with).
     */
    public static RfmSummary summary(PopulationCounts counts, long asOf, RfmSettings settings) {
        TreeMap<Long, Long> frequencies = new TreeMap<>();
        counts.getFrequencies().forEach((f, n) -> frequencies.merge(Long.parseLong(f), n, Long::sum));
        long buyers = frequencies.values().stream().mapToLong(Long::longValue).sum();
        long repeaters = frequencies.tailMap(2L).values().stream().mapToLong(Long::longValue).sum();
        RfmSummary.Builder summary = RfmSummary.newBuilder()
                .setAsOf(Instant.ofEpochMilli(asOf))
                .setBuyers(buyers)
                .setCurrency(settings.rolling().currencies().base())
                .setMonetaryRelativeError(settings.alpha())
                .setRepeatRate(buyers == 0 ? 0 : (double) repeaters / buyers)
                .setChurnWindowDays((int) settings.churnWindow().toDays())
                .setRanks(List.of());
        List<ChurnStep> churn = branchingCurve(counts, asOf, settings);
        int point = BranchingPoint.pointOf(churn.stream()
                .map(step -> new BranchingPoint.Step(step.getPurchases(), step.getCustomers(), step.getChurned()))
                .toList(), settings.minCustomers());
        summary.setBranchingPoint(point).setBranchingCurve(churn);
        List<ReturnStep> returns = returnCurve(counts, asOf, point > 0 ? point : 2, settings);
        summary.setReturnCurve(returns).setReturnPointDays(returnPoint(returns, settings.minCustomers()));
        if (buyers == 0) {
            return summary.setRecencyBoundaries(List.of()).setFrequencyBoundaries(List.of())
                    .setMonetaryBoundaries(List.of()).setTopThresholdMinor(0).setSuperLoyalThresholdMinor(0).build();
        }
        TreeMap<Long, Long> recency = recencyDays(counts, asOf, Integer.MAX_VALUE);
        QuantileSketch monetary = monetarySketch(settings, counts.getMonetaryExact(), counts.getMonetaryBuckets());
        double[] thresholds = settings.ranks().thresholds(monetary::quantile);
        return summary.setRecencyBoundaries(quintiles(recency, buyers))
                .setFrequencyBoundaries(quintiles(frequencies, buyers))
                .setMonetaryBoundaries(toList(monetary.scores(true).boundaries()))
                .setTopThresholdMinor(thresholds[0])
                .setSuperLoyalThresholdMinor(thresholds[1])
                .setRanks(rankSizes(counts, thresholds, point, settings))
                .build();
    }

    private static List<io.lifecyclemail.schema.RankSize> rankSizes(PopulationCounts counts, double[] thresholds, int point,
                                                                   RfmSettings settings) {
        QuantileSketch sketch = monetarySketch(settings, Map.of(), Map.of());
        RfmRanking.Tally tally = new RfmRanking.Tally();
        counts.getByRankCell().forEach((cell, customers) -> {
            int bar = cell.indexOf('|');
            int frequency = Integer.parseInt(cell.substring(0, bar));
            String key = cell.substring(bar + 1);
            double kept = key.charAt(0) == '=' ? Double.parseDouble(key.substring(1))
                    : sketch.middleOfBucket(Integer.parseInt(key.substring(1)));
            CustomerRanks.Rank rank = settings.ranks().rank(kept, frequency, thresholds[0], thresholds[1], point);
            tally.add(rank, customers, counts.getCellOrders().getOrDefault(cell, 0L),
                    counts.getCellTotals().getOrDefault(cell, 0L), frequency >= 2 ? customers : 0);
        });
        return tally.sizes();
    }

    /** Buyers by days since their last purchase at {@code asOf}, of those with fewer than {@code belowPurchases}. */
    private static TreeMap<Long, Long> recencyDays(PopulationCounts counts, long asOf, int belowPurchases) {
        TreeMap<Long, Long> days = new TreeMap<>();
        Map<String, LocalDate> asOfDays = new HashMap<>();
        counts.getLastDays().forEach((key, n) -> {
            String[] parts = key.split("\\|");
            if (Integer.parseInt(parts[0]) >= belowPurchases) {
                return;
            }
            LocalDate today = asOfDays.computeIfAbsent(parts[1], zone -> localDay(asOf, ZoneId.of(zone)));
            days.merge(today.toEpochDay() - Long.parseLong(parts[2]), n, Long::sum);
        });
        return days;
    }

    /** The values at nearest rank ceil(k x n / 5), k = 1..4, of a histogram, as {@link QuintileScores#of} takes them. */
    private static List<Double> quintiles(TreeMap<Long, Long> histogram, long n) {
        List<Double> boundaries = new ArrayList<>();
        for (int k = 1; k <= 4; k++) {
            long rank = QuintileScores.quintileRank(k, n);
            long seen = 0;
            for (Map.Entry<Long, Long> entry : histogram.entrySet()) {
                seen += entry.getValue();
                if (seen >= rank) {
                    boundaries.add((double) entry.getKey());
                    break;
                }
            }
        }
        return boundaries;
    }

    /** Churn after each purchase count, over purchases at least the churn window (whole days) before {@code asOf}. */
    private static List<ChurnStep> branchingCurve(PopulationCounts counts, long asOf, RfmSettings settings) {
        long[] reached = byPurchases(counts.getReached(), asOf, settings);
        long[] cameBack = byPurchases(counts.getCameBack(), asOf, settings);
        List<ChurnStep> curve = new ArrayList<>();
        for (int k = 1; k <= settings.maxPurchases(); k++) {
            long churned = reached[k] - cameBack[k];
            curve.add(new ChurnStep(k, reached[k], churned, reached[k] == 0 ? 0.0 : (double) churned / reached[k]));
        }
        return curve;
    }

    private static long[] byPurchases(Map<String, Long> counts, long asOf, RfmSettings settings) {
        long[] byK = new long[settings.maxPurchases() + 1];
        counts.forEach((key, n) -> {
            int bar = key.indexOf('|');
            int k = Integer.parseInt(key.substring(0, bar));
            long day = Long.parseLong(key.substring(bar + 1));
            // the whole day must be a churn window old: whether its customers came back is known
            if ((day + 1) * DAY + settings.churnWindow().toMillis() <= asOf) {
                byK[k] += n;
            }
        });
        return byK;
    }

    /**
     * For buyers with fewer than {@code belowPurchases} purchases: of the absences that lasted at least
     * each week, how many ended (a next purchase) within that week. Absences still going on count as at
     * risk up to their current length.
     */
    private static List<ReturnStep> returnCurve(PopulationCounts counts, long asOf, int belowPurchases,
                                                RfmSettings settings) {
        int weeks = settings.returnWeeks();
        long[] returned = new long[weeks + 1];
        long[] longer = new long[weeks + 1]; // absences of at least 7w days
        counts.getGaps().forEach((key, n) -> {
            String[] parts = key.split("\\|");
            if (Integer.parseInt(parts[0]) >= belowPurchases) {
                return;
            }
            long days = Long.parseLong(parts[1]);
            for (int w = 0; w < weeks && 7L * w <= days; w++) {
                longer[w] += n;
            }
            if (days / 7 < weeks) {
                returned[(int) (days / 7)] += n;
            }
        });
        recencyDays(counts, asOf, belowPurchases).forEach((days, n) -> {
            for (int w = 0; w < weeks && 7L * w <= days; w++) {
                longer[w] += n;
            }
        });
        List<ReturnStep> curve = new ArrayList<>();
        for (int w = 0; w < weeks; w++) {
            curve.add(new ReturnStep(7 * w, longer[w], returned[w], longer[w] == 0 ? 0.0 : (double) returned[w] / longer[w]));
        }
        return curve;
    }

    /** The start of the week whose return rate falls the most below the week before's (0 when none is trusted). */
    private static int returnPoint(List<ReturnStep> curve, long minCustomers) {
        int point = 0;
        double biggestDrop = 0;
        for (int w = 1; w < curve.size(); w++) {
            ReturnStep before = curve.get(w - 1);
            ReturnStep at = curve.get(w);
            if (before.getAtRisk() < minCustomers || at.getAtRisk() < minCustomers) {
                break;
            }
            double drop = before.getReturnRate() - at.getReturnRate();
            if (drop > biggestDrop) {
                biggestDrop = drop;
                point = at.getDaysFrom();
            }
        }
        return point;
    }

    static LocalDate localDay(long time, ZoneId zone) {
        return Instant.ofEpochMilli(time).atZone(zone).toLocalDate();
    }

    private static long utcDay(long time) {
        return localDay(time, ZoneOffset.UTC).toEpochDay();
    }

    private static List<Double> toList(double[] values) {
        List<Double> list = new ArrayList<>();
        for (double value : values) {
            list.add(value);
        }
        return list;
    }
}
