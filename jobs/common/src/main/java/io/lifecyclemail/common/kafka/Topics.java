package io.lifecyclemail.common.kafka;

import io.lifecyclemail.common.options.Option;

/** The engine's topics (docs/topics.md), each name a setting. */
public final class Topics {
    private Topics() {}

    public static final Option<String> CLICKSTREAM = topic("clickstream", "Clickstream events (input).");
    public static final Option<String> ORDERS = topic("orders", "Order events (input).");
    public static final Option<String> INVENTORY = topic("inventory", "Stock level changes (input).");
    public static final Option<String> PROFILES = topic("profiles", "Customer profiles (input, compacted).");
    public static final Option<String> SEND_COMMANDS = topic("send-commands", "Send commands (decision job output, delivery job input).");
    public static final Option<String> DECISIONS = topic("decisions", "One decision record per candidate trigger (output).");
    public static final Option<String> RFM = topic("rfm", "Each customer's RFM, scores and rank after every change (output, compacted).");
    public static final Option<String> RFM_SUMMARY = topic("rfm-summary", "The buyers' score boundaries, branching point and rank sizes per interval (output).");
    public static final Option<String> DELIVERY_RESULTS = topic("delivery-results", "Outcome of every send command (delivery job output).");
    public static final Option<String> ENGAGEMENT = topic("engagement", "Opens, clicks, unsubscribes, bounces, complaints (input: suppression).");
    public static final Option<String> CONVERSIONS = topic("conversions", "Orders credited to the last send or holdout before them (output).");
    public static final Option<String> DEAD_LETTERS = topic("dead-letters", "Input records that could not be used (output).");

    private static Option<String> topic(String name, String description) {
        return Option.string("topic." + name, name, description);
    }
}
