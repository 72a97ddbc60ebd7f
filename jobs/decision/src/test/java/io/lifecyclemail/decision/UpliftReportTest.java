package io.lifecyclemail.decision;

import static io.lifecyclemail.decision.DecisionPipelineTest.source;
import io.lifecyclemail.decision.govern.UpliftReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lifecyclemail.common.files.AvroJsonLines;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.decision.scenario.Governance;
import io.lifecyclemail.decision.scenario.GovernorPolicy;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.decision.scenario.ScenarioPolicy;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.Conversion;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented uplift computation recovers a known effect: a generated shop where a cart reminder
 * raises the chance of buying within a week from 5 % to 15 % (a true uplift of 10 points), run
 * through the decision pipeline with a 30 % holdout; the report over the exported topics must find
 * an interval around 10 points that excludes zero.
 */
class UpliftReportTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");
    static final double HOLDOUT = 0.30;
    static final double BUY_IF_HELD_OUT = 0.05;
    static final double BUY_IF_MAILED = 0.15;
    static final String SALT = "uplift-test";

    @TempDir
    Path exports;

    @Test
    void recoversTheTrueUpliftOfAGeneratedShop() throws Exception {
        CartAbandonmentScenario cart = new CartAbandonmentScenario("cart", 1, "", true, Duration.ofHours(2),
                "cart-abandonment", 5, ScenarioPolicy.defaultFor(CartAbandonmentScenario.KIND).withGovernance(
                new Governance(false, Set.of(), List.of(), Governance.WhenCapped.DROP, Governance.DEFAULT_MAX_DELAY,
                        HOLDOUT, List.of())));
        GovernorPolicy policy = new GovernorPolicy(List.of(), null, ZoneOffset.UTC, 0, SALT, Duration.ofDays(7));
        Random random = new Random(7);
        List<CustomerProfile> profiles = new ArrayList<>();
        List<ClickstreamEvent> clicks = new ArrayList<>();
        List<OrderEvent> orders = new ArrayList<>();
        Product tea = Product.newBuilder().setProductId("tea").setName("tea").setUnitPriceMinor(1200L).build();
        int customers = 4000;
        for (int i = 0; i < customers; i++) {
            String customer = "c" + i;
            Instant added = T0.plus(Duration.ofMinutes(random.nextInt(600)));
            profiles.add(CustomerProfile.newBuilder().setEventId("p" + i).setEventTime(T0.minus(Duration.ofDays(1)))
                    .setCustomerId(customer).setMarketingConsent(true).build());
            clicks.add(ClickstreamEvent.newBuilder().setEventId("a" + i).setEventTime(added).setCustomerId(customer)
                    .setType(ClickType.CART_ADD).setProduct(tea).setQuantity(1).build());
            // the world: how the customer would act, mailed or not (the same stable hash the governor uses)
            boolean heldOut = SendIds.unitShare(SALT, "cart", "holdout", customer) < HOLDOUT;
            if (random.nextDouble() < (heldOut ? BUY_IF_HELD_OUT : BUY_IF_MAILED)) {
                Instant bought = added.plus(Duration.ofHours(3)).plus(Duration.ofMinutes(random.nextInt(6 * 24 * 60)));
                orders.add(OrderEvent.newBuilder().setEventId("o" + i).setEventTime(bought).setCustomerId(customer)
                        .setOrderId("order-" + i).setType(OrderEventType.PLACED).setTotalMinor(1200L).setCurrency("JPY")
                        .setLines(List.of(new ItemLine(tea, 1))).build());
            }
        }

        // each in-memory source is in event-time order, as a Kafka partition of a well-behaved producer is
        clicks.sort(java.util.Comparator.comparing(ClickstreamEvent::getEventTime));
        orders.sort(java.util.Comparator.comparing(OrderEvent::getEventTime));
        StreamExecutionEnvironment env = DecisionPipelineTest.environment("hashmap");
        DecisionPipeline.Outputs outputs = DecisionPipeline.build(new DecisionPipeline.Inputs(
                        source(env, clicks, ClickstreamEvent.class, e -> e.getEventTime(), "clicks"),
                        source(env, orders, OrderEvent.class, e -> e.getEventTime(), "orders"),
                        source(env, profiles, CustomerProfile.class, e -> e.getEventTime(), "profiles")),
                new ScenarioLoader.Configuration(List.of(cart), policy),
                new DecisionPipeline.Tuning(Duration.ofDays(30), null, LatePolicy.DEFAULT));
        List<Decision> decisions = new ArrayList<>();
        List<Conversion> conversions = new ArrayList<>();
        try (CloseableIterator<Decision> decided = outputs.decisions().collectAsync();
             CloseableIterator<Conversion> converted = outputs.conversions().collectAsync()) {
            env.execute("uplift test");
            decided.forEachRemaining(decisions::add);
            converted.forEachRemaining(conversions::add);
        }
        Path decisionsFile = exports.resolve("decisions.jsonl");
        Path conversionsFile = exports.resolve("conversions.jsonl");
        AvroJsonLines<Decision> decisionLines = AvroJsonLines.of(Decision.class);
        AvroJsonLines<Conversion> conversionLines = AvroJsonLines.of(Conversion.class);
        Files.write(decisionsFile, decisions.stream().map(decisionLines::encode).toList());
        Files.write(conversionsFile, conversions.stream().map(conversionLines::encode).toList());

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<UpliftReport.Row> rows = UpliftReport.run(decisionsFile, conversionsFile,
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(decisions).as(decisions.stream().collect(java.util.stream.Collectors.groupingBy(
                Decision::getOutcome, java.util.stream.Collectors.counting())).toString()).hasSize(customers);
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.scenario()).isEqualTo("cart");
            assertThat(row.treated().candidates() + row.holdout().candidates()).isEqualTo(customers);
            assertThat(row.holdout().candidates() / (double) customers).isCloseTo(HOLDOUT, within(0.03));
            assertThat(row.treated().rate()).isCloseTo(BUY_IF_MAILED, within(0.02));
            assertThat(row.holdout().rate()).isCloseTo(BUY_IF_HELD_OUT, within(0.02));
            assertThat(row.low()).as("the interval excludes no effect").isPositive();
            assertThat(BUY_IF_MAILED - BUY_IF_HELD_OUT).as("the interval holds the true uplift")
                    .isBetween(row.low(), row.high());
            assertThat(row.treated().revenuePerCandidate()).isCloseTo(1200 * row.treated().rate(), within(1e-6));
        });
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("cart").contains("pp");
    }
}
