package io.lifecyclemail.decision;

import io.lifecyclemail.common.kafka.KafkaOptions;
import io.lifecyclemail.common.kafka.Topics;
import io.lifecyclemail.common.options.Option;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.rfm.CustomerRanks;
import io.lifecyclemail.decision.rfm.RfmSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Every setting of the decision job, in one place. */
public final class DecisionOptions {
    private DecisionOptions() {}

    public static final Option<String> SCENARIOS_DIR = Option.string("scenarios.dir", "",
            "Folder of scenario YAML files; empty = the scenarios shipped in the jar (deploy/scenarios).");
    public static final Option<Duration> CART_RETENTION = Option.duration("cart.retention", Duration.ofDays(30),
            "How long the shop keeps an unchanged cart; after it the engine forgets the cart too.");
    public static final Option<String> DECIDE_UNTIL = Option.string("decide.until", "",
            "With kafka.bounded: when the input ends, decide only what is due up to this time (ISO-8601, e.g. "
                    + "2026-11-06T00:00:00Z); empty = everything, as if no more events ever came.");
    public static final Option<Duration> ALLOWED_LATENESS = Option.duration("late-events.allowed-lateness",
            LatePolicy.DEFAULT.allowedLateness(), "An event up to this far behind the watermark is applied as if on "
                    + "time (a copy of one already applied is recognised and ignored); a later one is handled as "
                    + "late-events.beyond says. Either way it is counted (metrics lateEvents, tooLateEvents).");
    public static final Option<LatePolicy.Beyond> BEYOND_LATENESS = Option.choice("late-events.beyond",
            LatePolicy.Beyond.class, LatePolicy.DEFAULT.beyond(), "What happens to an event later than the allowed "
                    + "lateness: drop (it cannot start a mail about the past) or apply; either way a LATE_EVENT "
                    + "record goes to the decisions topic.");
    public static final Option<Integer> RESTOCK_BUCKETS = Option.integer("restock.buckets",
            DecisionPipeline.Tuning.DEFAULT_RESTOCK_BUCKETS, "How many keys a product's interested customers are "
                    + "spread over, so that a restock of a hot product fans out in parallel and in small steps. "
                    + "Changing it needs a fresh start of the restock state.");
    public static final Option<Boolean> RFM_ENABLED = Option.bool("rfm.enabled", true,
            "Keep each customer's recency, frequency and monetary value and write it to the rfm topic.");
    public static final Option<String> RFM_CURRENCY = Option.string("rfm.currency", "JPY",
            "The shop's base currency (ISO 4217): RFM amounts are in its minor units.");
    public static final Option<String> RFM_RATES = Option.string("rfm.rates", "",
            "Rates for orders in other currencies, as units of the base currency per unit, e.g. USD=150,EUR=162.5; "
                    + "an order in a currency without a rate is not counted.");
    public static final Option<Duration> RFM_ORDER_MEMORY = Option.duration("rfm.order-memory", Duration.ofDays(400),
            "How long an order is remembered so that its cancellation or return subtracts it.");
    public static final Option<Duration> RFM_INTERVAL = Option.duration("rfm.interval", RfmSettings.DEFAULT_INTERVAL,
            "How often (event time, aligned to the epoch: 1d = midnight UTC) the buyers are summarised on rfm-summary "
                    + "and every customer is re-scored and re-ranked.");
    public static final Option<Double> RFM_SKETCH_ERROR = Option.decimal("rfm.sketch-error", RfmSettings.DEFAULT_ALPHA,
            "Relative error bound of the monetary quantile sketch (recency and frequency are exact).");
    public static final Option<Duration> RFM_CHURN_WINDOW = Option.duration("rfm.churn-window",
            RfmSettings.DEFAULT_CHURN_WINDOW, "A customer who buys again within this long after a purchase came back; "
                    + "otherwise churned (for the branching point).");
    public static final Option<Double> RFM_TOP_SHARE = Option.decimal("rfm.top-share",
            CustomerRanks.DEFAULTS.topShare(), "The top share of buyers by total amount: super-loyal, loyal and loyal candidates.");
    public static final Option<Double> RFM_SUPER_LOYAL_SHARE = Option.decimal("rfm.super-loyal-share",
            CustomerRanks.DEFAULTS.superLoyalShare(), "The top share by total amount that can be super-loyal.");
    public static final Option<Integer> RFM_MIN_CUSTOMERS = Option.integer("rfm.min-customers",
            (int) RfmSettings.DEFAULT_MIN_CUSTOMERS, "A point of the churn or return curve seen on fewer customers is "
                    + "not trusted for the branching point.");
    public static final Option<String> RFM_SEED = Option.string("rfm.seed", "",
            "A seed file written by the bootstrap (rfm-seed.jsonl): customers without RFM state start from it. "
                    + "Start the orders input at the bootstrap's as-of time.");
    public static final Option<String> GROUP_ID = Option.string("kafka.group-id", "lifecycle-decision",
            "Consumer group id (offsets are also in checkpoints; the group shows lag).");
    public static final Option<String> TRANSACTIONAL_ID_PREFIX = Option.string("kafka.transactional-id-prefix",
            "lifecycle-decision", "Prefix of the sinks' transactional ids; unique per job deployment.");

    public static List<Option<?>> all() {
        List<Option<?>> all = new ArrayList<>(KafkaOptions.all());
        all.addAll(List.of(SCENARIOS_DIR, CART_RETENTION, DECIDE_UNTIL, ALLOWED_LATENESS, BEYOND_LATENESS, RESTOCK_BUCKETS, RFM_ENABLED, RFM_CURRENCY, RFM_RATES,
                RFM_ORDER_MEMORY, RFM_INTERVAL, RFM_SKETCH_ERROR, RFM_CHURN_WINDOW, RFM_TOP_SHARE, RFM_SUPER_LOYAL_SHARE,
                RFM_MIN_CUSTOMERS, RFM_SEED, GROUP_ID, TRANSACTIONAL_ID_PREFIX,
                Topics.CLICKSTREAM, Topics.ORDERS, Topics.PROFILES, Topics.INVENTORY, Topics.ENGAGEMENT,
                Topics.DELIVERY_RESULTS, Topics.SEND_COMMANDS, Topics.DECISIONS, Topics.CONVERSIONS, Topics.RFM,
                Topics.RFM_SUMMARY, Topics.DEAD_LETTERS));
        return all;
    }
}
