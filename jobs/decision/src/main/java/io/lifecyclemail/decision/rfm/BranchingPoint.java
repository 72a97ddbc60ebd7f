package io.lifecyclemail.decision.rfm;

import java.util.ArrayList;
import java.util.List;

/**
 * The shop's branching point, from its own orders: the purchase count after which customers stop
 * churning. For each count k, among the customers whose k-th purchase lies at least {@code window}
 * before the as-of time (so that whether they came back can be seen), churn(k) is the share with no
 * (k+1)-th purchase within {@code window} of the k-th. The branching point is the k where churn
 * drops the most from churn(k-1), among counts with at least {@code minCustomers} customers; the
 * whole curve is published so an analyst can check it.
 */
public final class BranchingPoint {
    private BranchingPoint() {}

    /** One point of the curve: of {@code customers} who reached {@code purchases}, {@code churned} did not buy again in time. */
    public record Step(int purchases, long customers, long churned) {
        public double churnRate() {
            return customers == 0 ? Double.NaN : (double) churned / customers;
        }
    }

    /** @param point the branching purchase count, or 0 when the data cannot show one */
    public record Result(int point, List<Step> curve) {}

    /**
     * The count k where churn drops the most from churn(k-1), among counts seen on at least
     * {@code minCustomers} customers (0 when none drops).
     */
    public static int pointOf(List<Step> curve, long minCustomers) {
        int point = 0;
        double biggestDrop = 0;
        for (int k = 2; k <= curve.size(); k++) {
            Step before = curve.get(k - 2);
            Step at = curve.get(k - 1);
            if (before.customers() < minCustomers || at.customers() < minCustomers) {
                break; // the tail is too thin to trust
            }
            double drop = before.churnRate() - at.churnRate();
            if (drop > biggestDrop) {
                biggestDrop = drop;
                point = k;
            }
        }
        return point;
    }

    /**
     * @param purchaseTimes each customer's purchase times (epoch ms), ascending
     * @param asOf the time the data is complete up to
     * @param windowMillis "came back" means a next purchase within this long
     * @param maxPurchases the largest count on the curve
     * @param minCustomers counts observed on fewer customers are not trusted for the point
     */
    public static Result estimate(List<long[]> purchaseTimes, long asOf, long windowMillis, int maxPurchases,
                                  long minCustomers) {
        long[] reached = new long[maxPurchases + 1];
        long[] churned = new long[maxPurchases + 1];
        for (long[] times : purchaseTimes) {
            for (int k = 1; k <= Math.min(times.length, maxPurchases); k++) {
                long kth = times[k - 1];
                if (kth + windowMillis > asOf) {
                    break; // too recent to know whether the customer comes back
                }
                reached[k]++;
                boolean cameBack = times.length > k && times[k] - kth <= windowMillis;
                if (!cameBack) {
                    churned[k]++;
                }
            }
        }
        List<Step> curve = new ArrayList<>();
        for (int k = 1; k <= maxPurchases; k++) {
            curve.add(new Step(k, reached[k], churned[k]));
        }
        int point = pointOf(curve, minCustomers);
        return new Result(point, List.copyOf(curve));
    }
}
