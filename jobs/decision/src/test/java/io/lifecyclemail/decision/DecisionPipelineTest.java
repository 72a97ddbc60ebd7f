package io.lifecyclemail.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.detect.Detector;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.CandidateDecision;
import io.lifecyclemail.decision.detect.ReentryGate;
import io.lifecyclemail.decision.restock.RestockInterest;
import io.lifecyclemail.decision.scenario.Reentry;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.decision.scenario.ScenarioPolicy;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.state.ProductInterest;
import io.lifecyclemail.state.ProductSignal;
import io.lifecyclemail.state.ScenarioTrigger;
import io.lifecyclemail.state.EntryLog;
import io.lifecyclemail.decision.scenario.BrowseAbandonmentScenario;
import io.lifecyclemail.decision.scenario.BirthdayScenario;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.decision.scenario.DeepBrowsingScenario;
import io.lifecyclemail.decision.scenario.ReplenishmentScenario;
import io.lifecyclemail.decision.scenario.RegistrationAnniversaryScenario;
import io.lifecyclemail.decision.scenario.PostPurchaseScenario;
import io.lifecyclemail.decision.scenario.PointsExpiryScenario;
import io.lifecyclemail.decision.scenario.PricePageVisitScenario;
import io.lifecyclemail.decision.scenario.SinceLastScenario;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.CustomerInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole decision pipeline on a Flink mini cluster at parallelism 2, fed from three separate
 * in-memory sources (so clickstream and orders interleave arbitrarily, as two Kafka topics do), and
 * compared with a single-threaded replay of the same rules over the events in event-time order.
 */
class DecisionPipelineTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final Duration RETENTION = Duration.ofDays(30);
    /** The job decides only up to here when its bounded input ends (yearly birthdays would never end). */
    static final long END_OF_REPLAY = Events.millis(Duration.ofDays(10));
    static final List<Scenario> SCENARIOS = List.of(
            new CartAbandonmentScenario("cart-30m", 1, "", true, Duration.ofMinutes(30), "cart-abandonment", 3),
            new CartAbandonmentScenario("cart-3h", 2, "", true, Duration.ofHours(3), "cart-abandonment", 10),
            new BrowseAbandonmentScenario("browse-1h", 1, "", true, Duration.ofHours(1), "browse-abandonment", 3, 2),
            new PricePageVisitScenario("pricing-2h", 1, "", true, Duration.ofHours(2), "price-page-visit", "pricing", "", "SPRING"),
            new SinceLastScenario(SinceLastScenario.DORMANCY, "dormant-6h", 1, "", true, Duration.ofHours(6), "dormancy", 2),
            new SinceLastScenario(SinceLastScenario.AT_RISK, "quiet-8h", 1, "", true, Duration.ofHours(8), "at-risk", 0),
            new SinceLastScenario(SinceLastScenario.DORMANCY, "dormant-2d", 1, "", true, Duration.ofDays(2), "dormancy", 2,
                    java.time.ZoneId.of("America/New_York"), ScenarioPolicy.defaultFor(SinceLastScenario.DORMANCY)),
            new BirthdayScenario("birthday", 1, "", true, java.time.LocalTime.of(9, 0), java.time.ZoneId.of("Asia/Tokyo"),
                    "birthday", ""),
            new PointsExpiryScenario("points-1d", 1, "", true, Duration.ofDays(1), "points-expiry"),
            new PostPurchaseScenario("after-order", 1, "", true, List.of(
                    new PostPurchaseScenario.Step("thanks", Duration.ZERO, "thanks"),
                    new PostPurchaseScenario.Step("shipped", null, "shipped"),
                    new PostPurchaseScenario.Step("two-days", Duration.ofDays(2), "review"))),
            new RegistrationAnniversaryScenario("registered-3d", 1, "", true, Duration.ofDays(3), "anniversary", ""),
            new SinceLastScenario(SinceLastScenario.NO_LOGIN, "no-login-5h", 1, "", true, Duration.ofHours(5), "no-login", 3),
            new ReplenishmentScenario("refill", 1, "", true, "replenishment", List.of(
                    new ReplenishmentScenario.Usage("p1", null, Duration.ofHours(10)),
                    new ReplenishmentScenario.Usage(null, "tea", Duration.ofHours(20)))),
            new DeepBrowsingScenario("deep-3", 1, "", true, Duration.ofMinutes(40), 3, "deep-browsing", "DEEP"),
            new RestockScenario("restock-6h", 1, "", true, Duration.ofHours(6), true, true, true, "restock"),
            new RestockScenario("restock-notified", 1, "", true, Duration.ofDays(2), false, false, true, "restock",
                    new ScenarioPolicy(Reentry.ALWAYS, 60)));
    static final int RESTOCK_BUCKETS = 4;

    record Traffic(List<ClickstreamEvent> clicks, List<OrderEvent> orders, List<CustomerProfile> profiles,
                   List<InventoryChange> inventory) {}

    static Traffic randomTraffic(int customers, int events, long seed) {
        Random random = new Random(seed);
        List<ClickstreamEvent> clicks = new ArrayList<>();
        List<OrderEvent> orders = new ArrayList<>();
        List<CustomerProfile> profiles = new ArrayList<>();
        for (int c = 0; c < customers; c++) {
            CustomerProfile profile = Events.profile("c" + c, Duration.ofMinutes(random.nextInt(600)), random.nextDouble() < 0.8);
            if (random.nextBoolean()) {
                // birthdays around the test day, in a few zones
                profile.setBirthday(java.time.LocalDate.of(1990, 11, 1 + random.nextInt(4)));
                profile.setTimezone(random.nextBoolean() ? "Asia/Tokyo" : "America/New_York");
            }
            profile.setRegisteredAt(Events.at(Duration.ofHours(-random.nextInt(100))));
            if (random.nextDouble() < 0.3) {
                profile.setPointsBalance((long) random.nextInt(3) * 500);
                profile.setPointsExpiry(Events.at(Duration.ofHours(30 + random.nextInt(60))));
            }
            profiles.add(profile);
        }
        for (int i = 0; i < events; i++) {
            String customer = "c" + random.nextInt(customers);
            Duration at = Duration.ofSeconds(random.nextInt(24 * 3600));
            double kind = random.nextDouble();
            if (kind < 0.3) {
                clicks.add(Events.cartAdd(customer, at, "p" + random.nextInt(6), 1 + random.nextInt(2)));
            } else if (kind < 0.55) {
                clicks.add(Events.click(customer, at, ClickType.PRODUCT_VIEW, Events.product("p" + random.nextInt(6), 500), 1));
            } else if (kind < 0.7) {
                clicks.add(Events.cartRemove(customer, at, "p" + random.nextInt(6), 1));
            } else if (kind < 0.75) {
                clicks.add(Events.click(customer, at, random.nextBoolean() ? ClickType.PAGE_VIEW : ClickType.LOGIN, null, 1));
            } else if (kind < 0.8) {
                clicks.add(Events.page(customer, at, random.nextBoolean() ? "pricing" : "home"));
            } else if (kind < 0.92) {
                OrderEvent placed = OrderEvent.newBuilder(Events.purchase(customer, at)).setLines(List.of(
                        new io.lifecyclemail.schema.ItemLine(Events.product("p" + random.nextInt(6), 1000), 1))).build();
                orders.add(placed);
                if (random.nextDouble() < 0.5) {
                    orders.add(OrderEvent.newBuilder(Events.order(customer, at.plusHours(1 + random.nextInt(30)),
                            OrderEventType.SHIPPED)).setOrderId(placed.getOrderId()).setTrackingNumber("T1").build());
                }
                if (random.nextDouble() < 0.15) {
                    orders.add(OrderEvent.newBuilder(Events.order(customer, at.plusHours(random.nextInt(40)),
                            OrderEventType.CANCELLED)).setOrderId(placed.getOrderId()).build());
                }
            } else {
                orders.add(Events.order(customer, at, OrderEventType.SHIPPED));
            }
        }
        // interest and stock for restock: favourites, "notify me", and products going out of stock and back
        for (int i = 0; i < events / 20; i++) {
            String customer = "c" + random.nextInt(customers);
            clicks.add(Events.click(customer, Duration.ofSeconds(random.nextInt(24 * 3600)),
                    random.nextBoolean() ? ClickType.FAVOURITE : ClickType.NOTIFY_ME,
                    Events.product("p" + random.nextInt(6), 500), 1));
        }
        List<InventoryChange> inventory = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            inventory.add(InventoryChange.newBuilder().setEventId("stock-" + i)
                    .setEventTime(Events.at(Duration.ofSeconds(random.nextInt(26 * 3600))))
                    .setProductId("p" + random.nextInt(6)).setStockLevel(random.nextBoolean() ? 0 : 1 + random.nextInt(5))
                    .build());
        }
        clicks.sort(Comparator.comparing(ClickstreamEvent::getEventTime));
        orders.sort(Comparator.comparing(OrderEvent::getEventTime));
        profiles.sort(Comparator.comparing(CustomerProfile::getEventTime));
        inventory.sort(Comparator.comparing(InventoryChange::getEventTime));
        return new Traffic(clicks, orders, profiles, inventory);
    }

    /** The reference: every customer's events in event-time order through the same detectors, one thread. */
    static Set<String> expectedSendIds(Traffic traffic) {
        List<Detector<?>> detectors = DecisionPipeline.detectors(SCENARIOS, RETENTION);
        Map<String, List<CustomerInput>> byCustomer = new HashMap<>();
        traffic.clicks().forEach(e -> add(byCustomer, e.getCustomerId(), e));
        traffic.orders().forEach(e -> add(byCustomer, e.getCustomerId(), e));
        traffic.profiles().forEach(e -> add(byCustomer, e.getCustomerId(), e));
        restockTriggers(traffic).forEach(t -> add(byCustomer, t.getCustomerId(), t));
        Set<String> sent = new HashSet<>();
        for (Map.Entry<String, List<CustomerInput>> customer : byCustomer.entrySet()) {
            List<CustomerInput> inputs = customer.getValue();
            inputs.sort(CustomerInputs.EVENT_TIME_ORDER);
            boolean[] consent = {false};
            java.time.ZoneId[] zone = {null};
            Entries entries = new Entries();
            List<Replay<?>> replays = detectors.stream().<Replay<?>>map(detector -> new Replay<>(detector, entries)).toList();
            for (CustomerInput input : inputs) {
                long time = CustomerInputs.eventTime(input);
                replays.forEach(replay -> replay.decideBefore(customer.getKey(), time, consent[0], sent));
                if (input.getEvent() instanceof CustomerProfile profile) {
                    consent[0] = profile.getMarketingConsent();
                    zone[0] = profile.getTimezone() == null ? null : java.time.ZoneId.of(profile.getTimezone());
                }
                replays.forEach(replay -> replay.apply(input.getEvent(), zone[0]));
            }
            replays.forEach(replay -> replay.decideBefore(customer.getKey(), END_OF_REPLAY, consent[0], sent));
        }
        return sent;
    }

    /** The reference of restock: every product's signals in order through the same rules, one thread, no buckets. */
    static List<ScenarioTrigger> restockTriggers(Traffic traffic) {
        RestockInterest rules = new RestockInterest(
                SCENARIOS.stream().filter(RestockScenario.class::isInstance).map(RestockScenario.class::cast).toList(), 1);
        List<ProductSignal> signals = new ArrayList<>();
        traffic.clicks().forEach(click -> signals.addAll(rules.signals(click)));
        traffic.orders().forEach(order -> signals.addAll(rules.signals(order)));
        traffic.inventory().forEach(change -> signals.addAll(rules.signals(change)));
        signals.sort(RestockInterest.ORDER);
        Map<String, Integer> stock = new HashMap<>();
        Map<String, Map<String, ProductInterest>> interest = new HashMap<>();
        Map<String, io.lifecyclemail.schema.Product> products = new HashMap<>();
        List<ScenarioTrigger> triggers = new ArrayList<>();
        for (ProductSignal signal : signals) {
            Map<String, ProductInterest> ofProduct = interest.computeIfAbsent(signal.getProductId(), k -> new HashMap<>());
            io.lifecyclemail.schema.Product known = RestockInterest.knownProduct(products.get(signal.getProductId()), signal);
            if (known != null) {
                products.put(signal.getProductId(), known);
            }
            if (signal.getKind() == io.lifecyclemail.state.ProductSignalKind.STOCK) {
                Integer previous = stock.put(signal.getProductId(), signal.getStockLevel());
                if (RestockInterest.isRestock(previous, signal.getStockLevel())) {
                    for (String customer : new ArrayList<>(ofProduct.keySet())) {
                        List<ScenarioTrigger> fired = rules.onRestock(customer, ofProduct.get(customer), signal, known);
                        if (!fired.isEmpty()) {
                            triggers.addAll(fired);
                            ProductInterest left = rules.afterNotice(ofProduct.get(customer));
                            if (left == null) {
                                ofProduct.remove(customer);
                            }
                        }
                    }
                }
            } else {
                ProductInterest after = rules.apply(ofProduct.get(signal.getCustomerId()), signal);
                if (after == null) {
                    ofProduct.remove(signal.getCustomerId());
                } else {
                    ofProduct.put(signal.getCustomerId(), after);
                }
            }
        }
        return triggers;
    }

    /** One customer's scenario entries, shared by the detectors' replays. */
    static final class Entries {
        final ReentryGate gate = new ReentryGate();
        EntryLog log;
    }

    /** One detector replayed over one customer's events. */
    static final class Replay<S extends SpecificRecordBase> {
        final Detector<S> detector;
        final Entries entries;
        S state;

        Replay(Detector<S> detector, Entries entries) {
            this.detector = detector;
            this.entries = entries;
        }

        void apply(Object event, java.time.ZoneId zone) {
            if (detector.accepts(event)) {
                state = detector.apply(state, event, zone);
            }
        }

        /** Decides every wake-up strictly before {@code time}: inputs at a deadline count before it. */
        void decideBefore(String customer, long time, boolean consent, Set<String> sent) {
            OptionalLong wakeUp = detector.nextWakeUp(state);
            while (state != null && wakeUp.isPresent() && wakeUp.getAsLong() < time) {
                for (Candidate candidate : detector.due(customer, state, wakeUp.getAsLong())) {
                    ReentryGate.Admission admission = entries.gate.admit(entries.log, candidate);
                    entries.log = admission.log();
                    CandidateDecision.Outcome outcome = CandidateDecision.decide(candidate, admission.blockedBecause());
                    if (consent && outcome.admitted()) { // the governor without a policy: consent only
                        sent.add(outcome.command().getSendId());
                    }
                }
                state = detector.expire(state, wakeUp.getAsLong());
                wakeUp = detector.nextWakeUp(state);
            }
        }
    }

    private static void add(Map<String, List<CustomerInput>> byCustomer, String customer, Object event) {
        byCustomer.computeIfAbsent(customer, k -> new ArrayList<>()).add(new CustomerInput(event));
    }

    /**
     * A local environment at parallelism 2 with the settings the job runs with: every operator needs
     * a uid, and records pass between chained operators without copies (object reuse, as
     * {@code DecisionJob.wire} sets it), so these tests also show that no function changes a record it
     * received or emitted.
     */
    static StreamExecutionEnvironment environment(String stateBackend) {
        Configuration config = new Configuration();
        config.setString("pipeline.auto-generate-uids", "false");
        config.setString("pipeline.object-reuse", "true");
        config.setString("state.backend.type", stateBackend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        return env;
    }

    static <T extends SpecificRecordBase> DataStream<T> source(StreamExecutionEnvironment env, List<T> events,
                                                              Class<T> type, SerializableFunction<T, java.time.Instant> time,
                                                              String name) {
        // a watermark after every event (just behind it), not only every 200 ms: the in-memory sources are
        // read faster than that, and the pipeline must decide the same however its watermarks advance
        WatermarkStrategy<T> everyEvent = WatermarkStrategy.<T>forGenerator(context -> new PerEventWatermarks<>())
                .withTimestampAssigner((event, ignored) -> time.apply(event).toEpochMilli());
        return env.fromData(events, new AvroBinaryTypeInfo<>(type)).uid(name).name(name)
                .assignTimestampsAndWatermarks(everyEvent)
                .uid(name + "-watermarks").name(name + "-watermarks");
    }

    /** Monotonous event time with a watermark after every event. */
    static final class PerEventWatermarks<T> implements org.apache.flink.api.common.eventtime.WatermarkGenerator<T> {
        private long newest = Long.MIN_VALUE;

        @Override
        public void onEvent(T event, long timestamp, org.apache.flink.api.common.eventtime.WatermarkOutput output) {
            if (timestamp > newest) {
                newest = timestamp;
                output.emitWatermark(new org.apache.flink.api.common.eventtime.Watermark(newest - 1));
            }
        }

        @Override
        public void onPeriodicEmit(org.apache.flink.api.common.eventtime.WatermarkOutput output) {}
    }

    @Test
    void sendsExactlyWhatTheRulesSayOverRandomInterleavedInputs() throws Exception {
        Traffic traffic = randomTraffic(300, 6000, 11);
        // RocksDB as in production: state read back is a copy (Avro's own arrays), so a detector that
        // changes state in place without returning a new object loses the change here, not on heap
        StreamExecutionEnvironment env = environment("rocksdb");

        DecisionPipeline.Outputs outputs = DecisionPipeline.build(new DecisionPipeline.Inputs(
                source(env, traffic.clicks(), ClickstreamEvent.class, e -> e.getEventTime(), "clicks"),
                source(env, traffic.orders(), OrderEvent.class, e -> e.getEventTime(), "orders"),
                source(env, traffic.profiles(), CustomerProfile.class, e -> e.getEventTime(), "profiles"),
                source(env, traffic.inventory(), InventoryChange.class, e -> e.getEventTime(), "inventory")),
                SCENARIOS, new DecisionPipeline.Tuning(RETENTION, java.time.Instant.ofEpochMilli(END_OF_REPLAY),
                        io.lifecyclemail.decision.detect.LatePolicy.DEFAULT, RESTOCK_BUCKETS));
        List<SendCommand> commands = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>();
        try (CloseableIterator<SendCommand> sent = outputs.sendCommands().collectAsync();
             CloseableIterator<Decision> decided = outputs.decisions().collectAsync()) {
            env.execute("decision pipeline test");
            sent.forEachRemaining(commands::add);
            decided.forEachRemaining(decisions::add);
        }

        Set<String> expected = expectedSendIds(traffic);
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(commands).extracting(SendCommand::getSendId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(decisions).hasSizeGreaterThan(commands.size()); // some customers gave no consent
        assertThat(decisions).extracting(Decision::getOutcome)
                .contains(io.lifecyclemail.schema.DecisionOutcome.REENTRY_BLOCKED); // re-armed carts, browsing again
        assertThat(commands).filteredOn(command -> List.of(CartAbandonmentScenario.KIND, BrowseAbandonmentScenario.KIND)
                        .contains(command.getScenarioKind()))
                .allSatisfy(command -> assertThat(command.getItems()).isNotEmpty());
        assertThat(commands).extracting(SendCommand::getScenarioId).contains("cart-30m", "cart-3h", "browse-1h", "pricing-2h", "dormant-6h", "quiet-8h", "birthday", "points-1d", "after-order", "registered-3d", "no-login-5h", "refill", "deep-3", "dormant-2d", "restock-6h", "restock-notified");
    }
}
