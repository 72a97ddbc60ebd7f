package io.lifecyclemail.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.decision.scenario.PricePageVisitScenario;
import io.lifecyclemail.decision.scenario.Reentry;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioPolicy;
import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.decision.scenario.SequenceScenario.EventType;
import io.lifecyclemail.decision.scenario.SequenceScenario.Step;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.OrderEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Built-in scenarios that can also be written as a Sequence (compiled to Flink CEP): both run in one
 * job on the same random stream, and must fire the same triggers (customer, triggering event, time).
 * Sequences with {@code sameProduct} are held to a plain scan of the same events.
 */
class SequenceEquivalenceTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final ScenarioPolicy EVERY_TIME = new ScenarioPolicy(Reentry.ALWAYS, 50);
    static final Duration CART_WAIT = Duration.ofHours(1);
    static final Duration PRICING_WAIT = Duration.ofHours(2);

    static final List<Scenario> SCENARIOS = List.of(
            new CartAbandonmentScenario("cart", 1, "", true, CART_WAIT, "cart-abandonment", 10, EVERY_TIME),
            // a cart add, then no further add and no purchase for the wait
            new SequenceScenario("cart-as-sequence", 1, "", true, List.of(Step.of(EventType.CART_ADD)), CART_WAIT,
                    new SequenceScenario.Absence(List.of(Step.of(EventType.CART_ADD), Step.of(EventType.ORDER_PLACED)),
                            CART_WAIT), "cart-abandonment", EVERY_TIME),
            new PricePageVisitScenario("pricing", 1, "", true, PRICING_WAIT, "price-page-visit", "pricing", "", "", EVERY_TIME),
            // a pricing page view, then no purchase for the wait
            new SequenceScenario("pricing-as-sequence", 1, "", true,
                    List.of(new Step(EventType.PAGE_VIEW, "pricing", null, null, null, null, null, 1, false)),
                    PRICING_WAIT, new SequenceScenario.Absence(List.of(Step.of(EventType.ORDER_PLACED)), PRICING_WAIT),
                    "price-page-visit", EVERY_TIME));

    record Trigger(String customer, String eventId, long time) {}

    @Test
    void cartAbandonmentAndPricePageVisitFireAsTheirSequencesDo() throws Exception {
        Random random = new Random(23);
        List<ClickstreamEvent> clicks = new ArrayList<>();
        List<OrderEvent> orders = new ArrayList<>();
        for (int i = 0; i < 8000; i++) {
            String customer = "c" + random.nextInt(250);
            Duration at = Duration.ofMillis(random.nextInt(24 * 3600 * 1000));
            double kind = random.nextDouble();
            if (kind < 0.35) {
                clicks.add(Events.cartAdd(customer, at, "p" + random.nextInt(5), 1));
            } else if (kind < 0.55) {
                clicks.add(Events.page(customer, at, random.nextBoolean() ? "pricing" : "home"));
            } else if (kind < 0.8) {
                clicks.add(Events.click(customer, at, ClickType.PRODUCT_VIEW, Events.product("p" + random.nextInt(5), 900), 1));
            } else {
                orders.add(Events.purchase(customer, at));
            }
        }
        clicks.sort(Comparator.comparing(ClickstreamEvent::getEventTime));
        orders.sort(Comparator.comparing(OrderEvent::getEventTime));

        List<Decision> decisions = new ArrayList<>();
        run(clicks, orders, List.of(Events.profile("c0", Duration.ZERO, true)), SCENARIOS, decisions, new ArrayList<>());

        Set<Trigger> cart = triggers(decisions, "cart");
        Set<Trigger> pricing = triggers(decisions, "pricing");
        assertThat(cart).hasSizeGreaterThan(200);
        assertThat(pricing).hasSizeGreaterThan(200);
        assertThat(triggers(decisions, "cart-as-sequence")).isEqualTo(cart);
        assertThat(triggers(decisions, "pricing-as-sequence")).isEqualTo(pricing);
    }

    /** The decision pipeline at parallelism 2 over the given events; collects its decisions and send commands. */
    static void run(List<ClickstreamEvent> clicks, List<OrderEvent> orders, List<CustomerProfile> profiles,
                    List<Scenario> scenarios, List<Decision> decisions,
                    List<io.lifecyclemail.schema.SendCommand> commands) throws Exception {
        StreamExecutionEnvironment env = DecisionPipelineTest.environment("hashmap");
        DecisionPipeline.Outputs outputs = DecisionPipeline.build(new DecisionPipeline.Inputs(
                        DecisionPipelineTest.source(env, clicks, ClickstreamEvent.class, e -> e.getEventTime(), "clicks"),
                        DecisionPipelineTest.source(env, orders, OrderEvent.class, e -> e.getEventTime(), "orders"),
                        DecisionPipelineTest.source(env, profiles, CustomerProfile.class, e -> e.getEventTime(), "profiles")),
                scenarios, new DecisionPipeline.Tuning(Duration.ofDays(30), null, LatePolicy.DEFAULT));
        try (CloseableIterator<Decision> decided = outputs.decisions().collectAsync();
             CloseableIterator<io.lifecyclemail.schema.SendCommand> sent = outputs.sendCommands().collectAsync()) {
            env.execute("sequence test");
            decided.forEachRemaining(decisions::add);
            sent.forEachRemaining(commands::add);
        }
    }

    static Set<Trigger> triggers(List<Decision> decisions, String scenario) {
        return decisions.stream().filter(d -> d.getScenarioId().equals(scenario))
                .map(d -> new Trigger(d.getCustomerId(), d.getTriggerEventId(), d.getTriggerTime().toEpochMilli()))
                .collect(Collectors.toSet());
    }

    @Test
    void theShippedMultiStepSequenceFiresExactlyForTheStoriesItDescribes() throws Exception {
        SequenceScenario shipped = (SequenceScenario) io.lifecyclemail.decision.scenario.ScenarioLoader.loadFiles(
                List.of(java.nio.file.Path.of("../../deploy/scenarios/sequence-pricing-then-product.yaml"))).get(0);
        // shipped disabled (it is costly), run here as a marketer who enables it would
        Scenario sequence = new SequenceScenario(shipped.id(), shipped.version(), shipped.description(), true,
                shipped.steps(), shipped.within(), shipped.thenNot(), shipped.template(), shipped.policy());
        List<ClickstreamEvent> clicks = new ArrayList<>();
        List<OrderEvent> orders = new ArrayList<>();
        ClickstreamEvent aliceLast = null;
        ClickstreamEvent erinLast = null;
        for (String customer : List.of("alice", "bob", "carol", "erin")) {
            clicks.add(Events.page(customer, Duration.ZERO, "pricing"));
        }
        // alice: the same product three times (another one between), no purchase
        clicks.add(view("alice", 1, "p1"));
        clicks.add(view("alice", 2, "p2"));
        clicks.add(view("alice", 3, "p1"));
        clicks.add(aliceLast = view("alice", 5, "p1"));
        // bob: the same, but buys within the two hours after
        clicks.addAll(List.of(view("bob", 1, "p1"), view("bob", 2, "p1"), view("bob", 3, "p1")));
        orders.add(Events.purchase("bob", Duration.ofHours(4)));
        // carol: the third view comes after the day
        clicks.addAll(List.of(view("carol", 1, "p1"), view("carol", 2, "p1"), view("carol", 25, "p1")));
        // dave: never saw the pricing page
        clicks.addAll(List.of(view("dave", 1, "p1"), view("dave", 2, "p1"), view("dave", 3, "p1")));
        // erin: one product once, then another three times
        clicks.addAll(List.of(view("erin", 1, "p1"), view("erin", 2, "p2"), view("erin", 3, "p2")));
        clicks.add(erinLast = view("erin", 4, "p2"));
        clicks.sort(Comparator.comparing(ClickstreamEvent::getEventTime));

        List<io.lifecyclemail.schema.SendCommand> commands = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>();
        run(clicks, orders, List.of(Events.profile("erin", Duration.ZERO, true)), List.of(sequence), decisions, commands);

        assertThat(triggers(decisions, "pricing-then-product")).containsExactlyInAnyOrder(
                new Trigger("alice", aliceLast.getEventId(), Events.millis(Duration.ofHours(7))),
                new Trigger("erin", erinLast.getEventId(), Events.millis(Duration.ofHours(6))));
        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getCustomerId()).isEqualTo("erin"); // alice has no profile, so no consent
            assertThat(command.getItems()).extracting(line -> line.getProduct().getProductId()).containsExactly("p2");
            assertThat(command.getTemplate()).isEqualTo("browse-abandonment");
        });
    }

    static final Step PRICING_PAGE = new Step(EventType.PAGE_VIEW, "pricing", null, null, null, null, null, 1, false);
    static final Step THREE_VIEWS_OF_ONE_PRODUCT =
            new Step(EventType.PRODUCT_VIEW, null, null, null, null, null, null, 3, true);

    /**
     * {@code sameProduct} with {@code times: 3}, first or after another step, against a plain scan of
     * each customer's events: a match ends at the earliest view that completes one (three views of a
     * product within the time of the first step's event, after the end of the previous match).
     */
    @Test
    void sameProductMatchesWhereAPlainScanOfTheEventsFindsThem() throws Exception {
        Duration within = Duration.ofHours(6);
        List<Scenario> scenarios = List.of(
                new SequenceScenario("pricing-then-3", 1, "", true, List.of(PRICING_PAGE, THREE_VIEWS_OF_ONE_PRODUCT),
                        within, null, "browse-abandonment", EVERY_TIME),
                new SequenceScenario("3-alone", 1, "", true, List.of(THREE_VIEWS_OF_ONE_PRODUCT),
                        within, null, "browse-abandonment", EVERY_TIME));
        Random random = new Random(41);
        List<ClickstreamEvent> clicks = new ArrayList<>();
        Set<Integer> usedSeconds = new java.util.HashSet<>();
        for (int i = 0; i < 6000; i++) {
            String customer = "c" + random.nextInt(120);
            int second = random.nextInt(2 * 24 * 3600);
            if (!usedSeconds.add(second)) {
                continue; // distinct times: which of two events at one instant comes first is not defined
            }
            Duration at = Duration.ofSeconds(second);
            double kind = random.nextDouble();
            clicks.add(kind < 0.12 ? Events.page(customer, at, "pricing")
                    : kind < 0.2 ? Events.page(customer, at, "home")
                    : Events.click(customer, at, ClickType.PRODUCT_VIEW, Events.product("p" + random.nextInt(6), 900), 1));
        }
        clicks.sort(Comparator.comparing(ClickstreamEvent::getEventTime));

        List<Decision> decisions = new ArrayList<>();
        List<OrderEvent> noOrders = List.of(Events.purchase("someone-else", Duration.ZERO)); // a source needs one
        run(clicks, noOrders, List.of(Events.profile("c0", Duration.ZERO, true)), scenarios, decisions, new ArrayList<>());

        Set<Trigger> afterPricing = scanForThreeViews(clicks, true, within);
        Set<Trigger> alone = scanForThreeViews(clicks, false, within);
        assertThat(afterPricing).hasSizeGreaterThan(100);
        assertThat(alone).hasSizeGreaterThan(afterPricing.size());
        assertThat(triggers(decisions, "pricing-then-3")).containsExactlyInAnyOrderElementsOf(afterPricing);
        assertThat(triggers(decisions, "3-alone")).containsExactlyInAnyOrderElementsOf(alone);
    }

    /** The matches of "[pricing page, then] three views of one product", found by looking back from every view. */
    static Set<Trigger> scanForThreeViews(List<ClickstreamEvent> clicks, boolean afterPricing, Duration within) {
        Set<Trigger> matches = new java.util.HashSet<>();
        java.util.Map<String, List<ClickstreamEvent>> byCustomer = clicks.stream()
                .collect(Collectors.groupingBy(ClickstreamEvent::getCustomerId));
        for (List<ClickstreamEvent> events : byCustomer.values()) {
            long previousMatchEnd = Long.MIN_VALUE;
            for (int last = 0; last < events.size(); last++) {
                ClickstreamEvent view = events.get(last);
                if (view.getType() != ClickType.PRODUCT_VIEW) {
                    continue;
                }
                long end = view.getEventTime().toEpochMilli();
                String product = view.getProduct().getProductId();
                boolean matched = false;
                int earlierViews = 0; // of this product, between a candidate first event and this view
                for (int first = last - 1; first >= 0 && !matched; first--) {
                    ClickstreamEvent event = events.get(first);
                    long start = event.getEventTime().toEpochMilli();
                    if (start <= previousMatchEnd || end - start >= within.toMillis()) {
                        break;
                    }
                    boolean sameProduct = event.getType() == ClickType.PRODUCT_VIEW
                            && event.getProduct().getProductId().equals(product);
                    if (afterPricing) {
                        matched = "pricing".equals(event.getPageType()) && earlierViews >= 2;
                    } else {
                        matched = sameProduct && earlierViews >= 1;
                    }
                    earlierViews += sameProduct ? 1 : 0;
                }
                if (matched) {
                    matches.add(new Trigger(view.getCustomerId(), view.getEventId(), end));
                    previousMatchEnd = end;
                }
            }
        }
        return matches;
    }

    /**
     * A last step repeated about one product, compiled as one marked event, against CEP's loop on the
     * same events: the very same triggers (every field: event, time, items, reason, first event). Many
     * events share an instant, so the order of one instant (as they came) is held to as well; the
     * patterns have the repeated step after one step, after two, after a repeated step, and counting
     * only some products.
     */
    @Test
    void aMarkedRepeatedStepFiresExactlyWhatCepsLoopFires() throws Exception {
        Step threeViews = THREE_VIEWS_OF_ONE_PRODUCT;
        List<SequenceScenario> sequences = List.of(
                new SequenceScenario("pricing-then-3", 1, "", true, List.of(PRICING_PAGE, threeViews),
                        Duration.ofHours(6), null, "browse-abandonment", EVERY_TIME),
                new SequenceScenario("pricing-cart-then-2", 1, "", true, List.of(PRICING_PAGE, Step.of(EventType.CART_ADD),
                        new Step(EventType.PRODUCT_VIEW, null, null, null, null, null, null, 2, true)),
                        Duration.ofHours(4), null, "browse-abandonment", EVERY_TIME),
                new SequenceScenario("home-twice-then-3", 1, "", true, List.of(
                        new Step(EventType.PAGE_VIEW, "home", null, null, null, null, null, 2, false), threeViews),
                        Duration.ofHours(8), null, "browse-abandonment", EVERY_TIME),
                new SequenceScenario("pricing-then-3-dear", 1, "", true, List.of(PRICING_PAGE,
                        new Step(EventType.PRODUCT_VIEW, null, null, null, null, 1000L, null, 3, true)),
                        Duration.ofHours(6), null, "browse-abandonment", EVERY_TIME));
        Random random = new Random(7);
        List<ClickstreamEvent> clicks = new ArrayList<>();
        for (int i = 0; i < 12000; i++) {
            String customer = "c" + random.nextInt(150);
            Duration at = Duration.ofMinutes(5L * random.nextInt(12 * 48)); // five-minute steps: many ties
            double kind = random.nextDouble();
            int product = random.nextInt(4);
            clicks.add(kind < 0.1 ? Events.page(customer, at, "pricing")
                    : kind < 0.2 ? Events.page(customer, at, "home")
                    : kind < 0.3 ? Events.cartAdd(customer, at, "p" + product, 1)
                    : Events.click(customer, at, ClickType.PRODUCT_VIEW, Events.product("p" + product, 500L * (product + 1)), 1));
        }
        clicks.sort(Comparator.comparing(ClickstreamEvent::getEventTime)); // stable: ties keep their random order

        StreamExecutionEnvironment env = DecisionPipelineTest.environment("hashmap");
        // keyed at once, so that a customer's events reach both stages through one channel, in one order
        // (as a Kafka partition per customer does); spread over subtasks, ties could swap on the way
        org.apache.flink.streaming.api.datastream.DataStream<ClickstreamEvent> clickstream =
                DecisionPipelineTest.source(env, clicks, ClickstreamEvent.class, e -> e.getEventTime(), "clicks")
                        .keyBy(ClickstreamEvent::getCustomerId);
        org.apache.flink.streaming.api.datastream.DataStream<OrderEvent> orders = DecisionPipelineTest.source(env,
                List.of(Events.purchase("someone-else", Duration.ZERO)), OrderEvent.class, e -> e.getEventTime(), "orders");
        org.apache.flink.streaming.api.datastream.DataStream<io.lifecyclemail.state.ScenarioTrigger> all = null;
        for (SequenceScenario sequence : sequences) {
            assertThat(io.lifecyclemail.decision.sequence.SequenceOrdering.markedStep(sequence)).isPresent();
            SequenceScenario asLoop = new SequenceScenario(sequence.id() + "-loop", 1, "", true, sequence.steps(),
                    sequence.within(), null, "browse-abandonment", EVERY_TIME);
            var marked = DecisionPipeline.sequenceTriggers(clickstream, orders, sequence, true);
            var looped = DecisionPipeline.sequenceTriggers(clickstream, orders, asLoop, false);
            all = all == null ? marked.union(looped) : all.union(marked, looped);
        }
        List<io.lifecyclemail.state.ScenarioTrigger> triggers = new ArrayList<>();
        try (CloseableIterator<io.lifecyclemail.state.ScenarioTrigger> collected = all.collectAsync()) {
            env.execute("marked against looped");
            collected.forEachRemaining(triggers::add);
        }
        for (SequenceScenario sequence : sequences) {
            List<io.lifecyclemail.state.ScenarioTrigger> marked = triggers.stream()
                    .filter(trigger -> trigger.getScenarioId().equals(sequence.id())).toList();
            List<io.lifecyclemail.state.ScenarioTrigger> looped = triggers.stream()
                    .filter(trigger -> trigger.getScenarioId().equals(sequence.id() + "-loop"))
                    .map(trigger -> io.lifecyclemail.state.ScenarioTrigger.newBuilder(trigger).setScenarioId(sequence.id()).build())
                    .toList();
            assertThat(marked).as(sequence.id()).hasSizeGreaterThan(100).containsExactlyInAnyOrderElementsOf(looped);
        }
    }

    static ClickstreamEvent view(String customer, int hour, String product) {
        return Events.click(customer, Duration.ofHours(hour), ClickType.PRODUCT_VIEW, Events.product(product, 900), 1);
    }
}
