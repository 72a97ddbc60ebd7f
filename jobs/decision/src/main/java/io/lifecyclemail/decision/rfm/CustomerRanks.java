package io.lifecyclemail.decision.rfm;

/**
 * The five ranks of the shops' practice: the top ~30 % by total amount are super-loyal, loyal and
 * loyal candidates; the bottom ~70 % are settled and non-loyal. Within the top, the branching point
 * separates those who have made it past it (loyal; the very top super-loyal) from those who have not
 * yet (candidates). Within the bottom, customers who repeat are settled, one-off buyers non-loyal.
 *
 * @param superLoyalShare the top share of customers by total amount that can be super-loyal (0.1)
 * @param topShare the top share by total amount: the loyal ranks (0.3)
 */
public record CustomerRanks(double superLoyalShare, double topShare) implements java.io.Serializable {
    public static final CustomerRanks DEFAULTS = new CustomerRanks(0.10, 0.30);

    public enum Rank {
        SUPER_LOYAL, LOYAL, LOYAL_CANDIDATE, SETTLED, NON_LOYAL;

        /** The name in YAML, topics and reports: super-loyal, loyal, loyal-candidate, settled, non-loyal. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        public static Rank ofLabel(String label) {
            for (Rank rank : values()) {
                if (rank.label().equals(label)) {
                    return rank;
                }
            }
            throw new IllegalArgumentException("unknown rank '" + label + "'");
        }

        /** The ranks discounts hurt (DOMAIN.md): super-loyal and loyal. */
        public boolean loyal() {
            return this == SUPER_LOYAL || this == LOYAL;
        }
    }

    public CustomerRanks {
        if (!(superLoyalShare > 0 && superLoyalShare <= topShare && topShare < 1)) {
            throw new IllegalArgumentException("need 0 < superLoyalShare <= topShare < 1");
        }
    }

    /**
     * @param amountShareAbove the share of customers whose total amount is higher than this one's (0 = the top)
     * @param purchases the customer's purchase count
     * @param branchingPoint the shop's branching purchase count (0 when unknown: then 2, a repeat)
     */
    public Rank rank(double amountShareAbove, long purchases, int branchingPoint) {
        return rank(amountShareAbove < topShare, amountShareAbove < superLoyalShare, purchases, branchingPoint);
    }

    /**
     * The rank against a population's thresholds: a total above {@code topThreshold} is in the top share,
     * above {@code superThreshold} in the super-loyal share (see {@link #thresholds}).
     */
    public Rank rank(double total, long purchases, double topThreshold, double superThreshold, int branchingPoint) {
        return rank(total > topThreshold, total > superThreshold, purchases, branchingPoint);
    }

    private static Rank rank(boolean top, boolean superTop, long purchases, int branchingPoint) {
        int point = branchingPoint > 0 ? branchingPoint : 2;
        if (top) {
            if (purchases < point) {
                return Rank.LOYAL_CANDIDATE;
            }
            return superTop ? Rank.SUPER_LOYAL : Rank.LOYAL;
        }
        return purchases >= 2 ? Rank.SETTLED : Rank.NON_LOYAL;
    }

    /**
     * The totals above which a customer is in the top and the super-loyal share, as the values at nearest
     * rank ceil((1 - share) x n) of the population's totals: at most that share lies strictly above, and
     * customers with equal totals always share a rank.
     *
     * @param quantile the population's total at a quantile q (nearest rank)
     * @return {top, super-loyal}
     */
    public double[] thresholds(java.util.function.DoubleUnaryOperator quantile) {
        return new double[] {quantile.applyAsDouble(1 - topShare), quantile.applyAsDouble(1 - superLoyalShare)};
    }

    /** LTV as the shops define it: order amount + order amount x repeat rate. */
    public static double lifetimeValue(double averageOrderAmount, double repeatRate) {
        return averageOrderAmount + averageOrderAmount * repeatRate;
    }

    /** The repeat rate measured from the data: the share of customers with a second purchase. */
    public static double repeatRate(long[] purchaseCounts) {
        long buyers = 0;
        long repeaters = 0;
        for (long count : purchaseCounts) {
            if (count >= 1) {
                buyers++;
            }
            if (count >= 2) {
                repeaters++;
            }
        }
        return buyers == 0 ? 0 : (double) repeaters / buyers;
    }
}
