package io.lifecyclemail.decision;

import io.lifecyclemail.common.kafka.KafkaOptions;
import io.lifecyclemail.common.kafka.Topics;
import io.lifecyclemail.common.options.Option;
import io.lifecyclemail.decision.detect.LatePolicy;
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
    public static final Option<String> GROUP_ID = Option.string("kafka.group-id", "lifecycle-decision",
            "Consumer group id (offsets are also in checkpoints; the group shows lag).");
    public static final Option<String> TRANSACTIONAL_ID_PREFIX = Option.string("kafka.transactional-id-prefix",
            "lifecycle-decision", "Prefix of the sinks' transactional ids; unique per job deployment.");

    public static List<Option<?>> all() {
        List<Option<?>> all = new ArrayList<>(KafkaOptions.all());
        all.addAll(List.of(SCENARIOS_DIR, CART_RETENTION, DECIDE_UNTIL, ALLOWED_LATENESS, BEYOND_LATENESS, RESTOCK_BUCKETS, RFM_ENABLED, RFM_CURRENCY, RFM_RATES,
                RFM_ORDER_MEMORY, GROUP_ID, TRANSACTIONAL_ID_PREFIX,
                Topics.CLICKSTREAM, Topics.ORDERS, Topics.PROFILES, Topics.INVENTORY, Topics.SEND_COMMANDS, Topics.DECISIONS, Topics.RFM,
                Topics.DEAD_LETTERS));
        return all;
    }
}
