package io.lifecyclemail.decision;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.decision.browse.BrowseAbandonment;
import io.lifecyclemail.decision.cart.CartAbandonment;
import io.lifecyclemail.decision.detect.Detector;
import io.lifecyclemail.decision.detect.EngagementMemory;
import io.lifecyclemail.decision.detect.ExternalTriggers;
import io.lifecyclemail.decision.flink.RestockInterestFunction;
import io.lifecyclemail.decision.flink.SequencePatterns;
import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.decision.flink.ArrivalsOperator;
import io.lifecyclemail.decision.flink.SequenceOrderFunction;
import io.lifecyclemail.decision.sequence.SequenceOrdering;
import io.lifecyclemail.decision.sequence.SequenceSteps;
import io.lifecyclemail.state.SequenceInput;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import io.lifecyclemail.decision.sequence.SequenceWait;
import org.apache.flink.cep.CEP;
import org.apache.flink.util.OutputTag;
import io.lifecyclemail.decision.restock.RestockInterest;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.decision.rfm.RfmSettings;
import io.lifecyclemail.decision.scenario.RankChangeScenario;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.RfmSeed;
import io.lifecyclemail.state.ProductSignal;
import io.lifecyclemail.state.ScenarioTrigger;
import org.apache.flink.util.Collector;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.flink.CustomerScenariosFunction;
import io.lifecyclemail.decision.flink.CustomerScenariosOperator;
import io.lifecyclemail.decision.scenario.BrowseAbandonmentScenario;
import io.lifecyclemail.decision.scenario.BirthdayScenario;
import io.lifecyclemail.decision.birthday.Birthday;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.decision.scenario.DeepBrowsingScenario;
import io.lifecyclemail.decision.deep.DeepBrowsing;
import io.lifecyclemail.decision.scenario.ReplenishmentScenario;
import io.lifecyclemail.decision.replenishment.Replenishment;
import io.lifecyclemail.decision.scenario.RegistrationAnniversaryScenario;
import io.lifecyclemail.decision.anniversary.RegistrationAnniversary;
import io.lifecyclemail.decision.scenario.PostPurchaseScenario;
import io.lifecyclemail.decision.postpurchase.PostPurchase;
import io.lifecyclemail.decision.scenario.PointsExpiryScenario;
import io.lifecyclemail.decision.points.PointsExpiry;
import io.lifecyclemail.decision.scenario.PricePageVisitScenario;
import io.lifecyclemail.decision.scenario.SinceLastScenario;
import io.lifecyclemail.decision.absence.SinceLast;
import io.lifecyclemail.decision.pricing.PricePageVisit;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.schema.Conversion;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.decision.govern.Governor;
import io.lifecyclemail.decision.scenario.GovernorPolicy;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.state.CustomerInput;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The decision job as a pure function from input streams to output streams: no connectors and no
 * environment settings, so tests run it on in-memory streams.
 */
public final class DecisionPipeline {
    private DecisionPipeline() {}

    /**
     * @param inventory stock changes; may be null when no Restock scenario is enabled
     * @param rfmSeeds customers' RFM from a bootstrap, to start from; may be null
     * @param engagement opens and clicks (audiences), unsubscribes, bounces, complaints (suppression); may be null
     * @param deliveryResults the delivery job's results (hard bounces suppress); may be null
     */
    public record Inputs(DataStream<ClickstreamEvent> clickstream, DataStream<OrderEvent> orders,
                         DataStream<CustomerProfile> profiles, DataStream<InventoryChange> inventory,
                         DataStream<RfmSeed> rfmSeeds, DataStream<EngagementEvent> engagement,
                         DataStream<DeliveryResult> deliveryResults) {
        public Inputs(DataStream<ClickstreamEvent> clickstream, DataStream<OrderEvent> orders,
                      DataStream<CustomerProfile> profiles) {
            this(clickstream, orders, profiles, null);
        }

        public Inputs(DataStream<ClickstreamEvent> clickstream, DataStream<OrderEvent> orders,
                      DataStream<CustomerProfile> profiles, DataStream<InventoryChange> inventory) {
            this(clickstream, orders, profiles, inventory, null);
        }

        public Inputs(DataStream<ClickstreamEvent> clickstream, DataStream<OrderEvent> orders,
                      DataStream<CustomerProfile> profiles, DataStream<InventoryChange> inventory,
                      DataStream<RfmSeed> rfmSeeds) {
            this(clickstream, orders, profiles, inventory, rfmSeeds, null, null);
        }
    }

    /**
     * @param rfm every customer's RFM after each change and re-scoring (null when RFM is off)
     * @param rfmSummary the population per interval (null when RFM is off)
     * @param conversions orders credited to the send or holdout before them
     */
    public record Outputs(DataStream<SendCommand> sendCommands, DataStream<Decision> decisions,
                          DataStream<RfmRecord> rfm, DataStream<RfmSummary> rfmSummary,
                          DataStream<Conversion> conversions) {}

    /**
     * The engineer's settings of the decision pipeline.
     *
     * @param cartRetention how long the shop keeps an unchanged cart
     * @param decideUntil when a bounded input ends, decide only what is due up to this time; null:
     *     everything (the end of the input is the end of time)
     * @param late what happens to events behind the watermark
     * @param restockBuckets how many keys a product's interested customers are spread over
     * @param rfm how RFM, scores and ranks are kept; null: not at all
     */
    public record Tuning(Duration cartRetention, Instant decideUntil, LatePolicy late, int restockBuckets,
                         RfmSettings rfm) {
        public static final int DEFAULT_RESTOCK_BUCKETS = 32;

        public Tuning(Duration cartRetention, Instant decideUntil, LatePolicy late) {
            this(cartRetention, decideUntil, late, DEFAULT_RESTOCK_BUCKETS);
        }

        public Tuning(Duration cartRetention, Instant decideUntil, LatePolicy late, int restockBuckets) {
            this(cartRetention, decideUntil, late, restockBuckets, null);
        }
    }

    /** Without a governor policy: consent and suppression only. */
    public static Outputs build(Inputs inputs, List<Scenario> scenarios, Tuning tuning) {
        return build(inputs, new ScenarioLoader.Configuration(scenarios, GovernorPolicy.NONE), tuning);
    }

    public static Outputs build(Inputs inputs, ScenarioLoader.Configuration configuration, Tuning tuning) {
        List<Scenario> scenarios = configuration.scenarios().stream().filter(Scenario::enabled).toList();
        List<Detector<?>> detectors = detectors(scenarios, tuning.cartRetention());
        Instant decideUntil = tuning.decideUntil();
        long cutoff = decideUntil == null ? Long.MAX_VALUE : decideUntil.toEpochMilli();
        TypeInformation<CustomerInput> inputType = new AvroBinaryTypeInfo<>(CustomerInput.class);
        RelevantEvents relevant = new RelevantEvents(detectors);

        // Only what some detector needs (and every profile, for consent; every placed order, for attribution
        // and freshness; every suppression) enters keyed state.
        // (Lambdas, not method references such as CustomerInput::new or relevant::test: javac shares one
        // deserializer for identical serializable method references, and the second would cast its
        // input to the first one's type.)
        DataStream<CustomerInput> clickstream = inputs.clickstream()
                .filter(click -> relevant.test(click)).name("relevant-clickstream").uid("relevant-clickstream")
                .map(click -> new CustomerInput(click), inputType).name("clickstream-as-input").uid("clickstream-as-input");
        DataStream<CustomerInput> orders = inputs.orders()
                .filter(order -> order.getType() == OrderEventType.PLACED || relevant.test(order))
                .name("relevant-orders").uid("relevant-orders")
                .map(order -> new CustomerInput(order), inputType).name("orders-as-input").uid("orders-as-input");
        DataStream<CustomerInput> profiles = inputs.profiles()
                .map(profile -> new CustomerInput(profile), inputType).name("profiles-as-input").uid("profiles-as-input");

        DataStream<CustomerInput> customerInputs = clickstream.union(orders, profiles);
        if (inputs.engagement() != null) {
            // opens and clicks only when some audience asks about them (relevant: the engagement memory)
            customerInputs = customerInputs.union(inputs.engagement()
                    .filter(event -> Governor.suppressionOf(event) != null || relevant.test(event))
                    .name("relevant-engagement").uid("suppressing-engagement") // uid of old: stateless, kept for savepoints
                    .map(event -> new CustomerInput(event), inputType).name("engagement-as-input").uid("engagement-as-input"));
        }
        if (inputs.deliveryResults() != null) {
            customerInputs = customerInputs.union(inputs.deliveryResults()
                    .filter(result -> Governor.suppressionOf(result) != null).name("suppressing-delivery-results")
                    .uid("suppressing-delivery-results")
                    .map(result -> new CustomerInput(result), inputType).name("delivery-results-as-input")
                    .uid("delivery-results-as-input"));
        }
        RestockInterest restock = new RestockInterest(ofKind(scenarios, RestockScenario.class), tuning.restockBuckets());
        if (restock.active()) {
            SingleOutputStreamOperator<ScenarioTrigger> restocks = restockTriggers(inputs, restock);
            customerInputs = customerInputs.union(restocks
                    .map(trigger -> new CustomerInput(trigger), inputType).name("restock-as-input").uid("restock-as-input"),
                    restocks.getSideOutput(RestockInterestFunction.STOCK_OUTS)
                            .map(stockOut -> new CustomerInput(stockOut), inputType).name("stock-outs-as-input")
                            .uid("stock-outs-as-input"));
        }

        for (SequenceScenario sequence : ofKind(scenarios, SequenceScenario.class)) {
            customerInputs = customerInputs.union(sequenceTriggers(inputs, sequence)
                    .map(trigger -> new CustomerInput(trigger), inputType)
                    .name("sequence-as-input-" + sequence.id()).uid("sequence-as-input-" + sequence.id()));
        }

        List<RankChangeScenario> rankChanges = ofKind(scenarios, RankChangeScenario.class);
        RfmPipeline.Outputs rfm = null;
        if (tuning.rfm() != null) {
            rfm = RfmPipeline.build(inputs.orders(), inputs.profiles(), inputs.rfmSeeds(), tuning.rfm(), rankChanges,
                    cutoff, tuning.late());
            customerInputs = customerInputs.union(rfm.toCustomers());
        } else if (!rankChanges.isEmpty()) {
            throw new IllegalArgumentException("a RankChange scenario (" + rankChanges.get(0).id()
                    + ") is enabled but RFM is off (rfm.enabled)");
        }

        SingleOutputStreamOperator<Decision> decisions = customerInputs
                .keyBy(CustomerInputs::customerId)
                .transform("customer-scenarios", new AvroBinaryTypeInfo<>(Decision.class),
                        new CustomerScenariosOperator(new CustomerScenariosFunction(detectors, cutoff, tuning.late(),
                                new Governor(configuration.policy(), scenarios))))
                .name("customer-scenarios").uid("customer-scenarios");
        return new Outputs(decisions.getSideOutput(CustomerScenariosFunction.SEND_COMMANDS), decisions,
                rfm == null ? null : rfm.records(), rfm == null ? null : rfm.summaries(),
                decisions.getSideOutput(CustomerScenariosFunction.CONVERSIONS));
    }

    /** Restock interest keyed by product and bucket, fanned out as triggers per customer. */
    private static SingleOutputStreamOperator<ScenarioTrigger> restockTriggers(Inputs inputs, RestockInterest restock) {
        if (inputs.inventory() == null) {
            throw new IllegalArgumentException("a Restock scenario is enabled but no inventory stream is given");
        }
        TypeInformation<ProductSignal> signalType = new AvroBinaryTypeInfo<>(ProductSignal.class);
        DataStream<ProductSignal> viewed = inputs.clickstream()
                .flatMap((ClickstreamEvent click, Collector<ProductSignal> out) -> restock.signals(click).forEach(out::collect),
                        signalType).name("restock-interest-signals").uid("restock-interest-signals");
        DataStream<ProductSignal> bought = inputs.orders()
                .flatMap((OrderEvent order, Collector<ProductSignal> out) -> restock.signals(order).forEach(out::collect),
                        signalType).name("restock-purchase-signals").uid("restock-purchase-signals");
        DataStream<ProductSignal> stock = inputs.inventory()
                .flatMap((InventoryChange change, Collector<ProductSignal> out) -> restock.signals(change).forEach(out::collect),
                        signalType).name("restock-stock-signals").uid("restock-stock-signals");
        return viewed.union(bought, stock)
                .keyBy(signal -> RestockInterest.key(signal))
                .transform("restock-interest", new AvroBinaryTypeInfo<>(ScenarioTrigger.class),
                        new ArrivalsOperator<>(new RestockInterestFunction(restock)))
                .name("restock-interest").uid("restock-interest");
    }

    /**
     * A Sequence's positive steps on Flink CEP, over the clickstream and order events any step could
     * match, keyed by customer; where the last step repeats about one product, the events go through
     * {@code sequence-order-<id>} first, which orders and marks them so that CEP holds one partial match
     * per start of the pattern ({@link SequenceOrdering}). (State and uids are per scenario id: renaming a
     * Sequence starts it afresh.)
     */
    private static DataStream<ScenarioTrigger> sequenceTriggers(Inputs inputs, SequenceScenario sequence) {
        return sequenceTriggers(inputs.clickstream(), inputs.orders(), sequence, true);
    }

    /** As above; {@code markRepeats} false compiles every repeated step as a CEP loop (to compare the two). */
    static DataStream<ScenarioTrigger> sequenceTriggers(DataStream<ClickstreamEvent> clickstream, DataStream<OrderEvent> orderEvents,
                                                        SequenceScenario sequence, boolean markRepeats) {
        List<SequenceScenario.Step> steps = sequence.steps();
        String id = sequence.id();
        TypeInformation<SequenceInput> inputType = new AvroBinaryTypeInfo<>(SequenceInput.class);
        DataStream<SequenceInput> clicks = clickstream
                .filter(click -> SequenceSteps.matchesAny(steps, click)).name("sequence-clicks-" + id).uid("sequence-clicks-" + id)
                .map(click -> SequenceOrdering.input(click), inputType).name("sequence-clicks-as-input-" + id)
                .uid("sequence-clicks-as-input-" + id);
        DataStream<SequenceInput> orders = orderEvents
                .filter(order -> SequenceSteps.matchesAny(steps, order)).name("sequence-orders-" + id).uid("sequence-orders-" + id)
                .map(order -> SequenceOrdering.input(order), inputType).name("sequence-orders-as-input-" + id)
                .uid("sequence-orders-as-input-" + id);
        OutputTag<SequenceInput> late = new OutputTag<>("sequence-late-" + id, inputType);
        KeySelector<SequenceInput, String> customer = SequenceOrdering::customerOf;
        KeyedStream<SequenceInput, String> events = clicks.union(orders).keyBy(customer);
        boolean marked = markRepeats && SequenceOrdering.markedStep(sequence).isPresent();
        DataStream<SequenceInput> lateForOrder = null;
        if (marked) {
            SingleOutputStreamOperator<SequenceInput> ordered = events
                    .transform("sequence-order-" + id, inputType,
                            new ArrivalsOperator<>(new SequenceOrderFunction(SequenceOrdering.of(sequence), late)))
                    .name("sequence-order-" + id).uid("sequence-order-" + id);
            lateForOrder = ordered.getSideOutput(late);
            // released by the same customer's subtask: still keyed, so CEP chains to it without a shuffle
            events = DataStreamUtils.reinterpretAsKeyedStream(ordered, customer);
        }
        TypeInformation<ScenarioTrigger> triggerType = new AvroBinaryTypeInfo<>(ScenarioTrigger.class);
        SingleOutputStreamOperator<ScenarioTrigger> matches = CEP.pattern(events, SequencePatterns.compile(sequence, marked))
                .sideOutputLateData(late)
                .process(new SequencePatterns.ToTrigger(sequence, marked), triggerType)
                .name("sequence-match-" + id).uid("sequence-match-" + id);
        // events behind the pattern's watermark are not part of any match: counted, not dropped silently
        DataStream<SequenceInput> lateEvents = lateForOrder == null ? matches.getSideOutput(late)
                : matches.getSideOutput(late).union(lateForOrder);
        DataStream<ScenarioTrigger> countedLate = lateEvents
                .flatMap(new SequencePatterns.CountLate(id), triggerType)
                .name("sequence-late-" + id).uid("sequence-late-" + id);
        return matches.union(countedLate);
    }

    /** One detector per kind that has enabled scenarios. */
    public static List<Detector<?>> detectors(List<Scenario> scenarios, Duration cartRetention) {
        List<Detector<?>> detectors = new ArrayList<>();
        List<CartAbandonmentScenario> carts = ofKind(scenarios, CartAbandonmentScenario.class);
        if (!carts.isEmpty()) {
            detectors.add(new CartAbandonment(carts, cartRetention));
        }
        List<BrowseAbandonmentScenario> browsing = ofKind(scenarios, BrowseAbandonmentScenario.class);
        if (!browsing.isEmpty()) {
            detectors.add(new BrowseAbandonment(browsing));
        }
        ofKind(scenarios, PricePageVisitScenario.class).forEach(visit -> detectors.add(new PricePageVisit(visit)));
        ofKind(scenarios, BirthdayScenario.class).forEach(birthday -> detectors.add(new Birthday(birthday)));
        ofKind(scenarios, PointsExpiryScenario.class).forEach(points -> detectors.add(new PointsExpiry(points)));
        ofKind(scenarios, PostPurchaseScenario.class).forEach(steps -> detectors.add(new PostPurchase(steps)));
        ofKind(scenarios, DeepBrowsingScenario.class).forEach(deep -> detectors.add(new DeepBrowsing(deep)));
        ofKind(scenarios, ReplenishmentScenario.class).forEach(consumables -> detectors.add(new Replenishment(consumables)));
        ofKind(scenarios, RegistrationAnniversaryScenario.class)
                .forEach(anniversary -> detectors.add(new RegistrationAnniversary(anniversary)));
        List<RankChangeScenario> rankChanges = ofKind(scenarios, RankChangeScenario.class);
        if (!rankChanges.isEmpty()) {
            detectors.add(new ExternalTriggers("rank-change-triggers", RankChangeScenario.STEP, rankChanges));
        }
        List<RestockScenario> restocks = ofKind(scenarios, RestockScenario.class);
        if (!restocks.isEmpty()) {
            detectors.add(new ExternalTriggers("restock-triggers", RestockScenario.STEP, restocks));
        }
        ofKind(scenarios, SequenceScenario.class).forEach(sequence -> detectors.add(new SequenceWait(sequence)));
        List<SinceLastScenario> sinceLast = ofKind(scenarios, SinceLastScenario.class);
        for (String kind : List.of(SinceLastScenario.DORMANCY, SinceLastScenario.AT_RISK, SinceLastScenario.NO_LOGIN)) {
            if (sinceLast.stream().anyMatch(scenario -> scenario.kind().equals(kind))) {
                detectors.add(new SinceLast(kind, sinceLast));
            }
        }
        EngagementMemory.forScenarios(scenarios.stream().filter(Scenario::enabled).toList()).ifPresent(detectors::add);
        return detectors;
    }

    private static <T extends Scenario> List<T> ofKind(List<Scenario> scenarios, Class<T> kind) {
        return scenarios.stream().filter(Scenario::enabled).filter(kind::isInstance).map(kind::cast).toList();
    }

    /** Whether any detector accepts an event: what does not is dropped before the key-by. */
    private record RelevantEvents(List<Detector<?>> detectors) implements java.io.Serializable {
        boolean test(Object event) {
            for (Detector<?> detector : detectors) {
                if (detector.accepts(event)) {
                    return true;
                }
            }
            return false;
        }
    }
}
