package io.lifecyclemail.decision;

import static io.lifecyclemail.decision.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.rfm.CurrencyTable;
import io.lifecyclemail.decision.rfm.RfmSettings;
import io.lifecyclemail.decision.rfm.RollingRfm;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.schema.SendCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ranks drive scenarios in the whole decision pipeline: a new order makes a customer super-loyal at
 * once (RankChange fires), the next day's re-ranking moves another out of the loyal ranks (RankChange
 * fires again), and a cart scenario's audience, content by rank and discount rule choose per customer.
 */
class RfmScenariosTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final String SCENARIOS = """
            apiVersion: lifecyclemail.io/v1
            kind: CartAbandonment
            metadata:
              id: cart-coupon
            spec:
              wait: 2h
              template: cart-coupon
              discount: true
              audience:
                ranks: [super-loyal, loyal, non-loyal]
              contentByRank:
                - ranks: [super-loyal]
                  template: cart-story
            ---
            apiVersion: lifecyclemail.io/v1
            kind: RankChange
            metadata:
              id: became-loyal
            spec:
              from: [non-loyal, settled, loyal-candidate]
              to: [loyal, super-loyal]
              template: welcome-loyal
              priority: 60
            ---
            apiVersion: lifecyclemail.io/v1
            kind: RankChange
            metadata:
              id: slipping
            spec:
              from: [loyal]
              to: [settled, non-loyal]
              template: we-miss-you
              priority: 70
            """;

    static OrderEvent order(String customer, Duration at, long total) {
        return OrderEvent.newBuilder(Events.order(customer, at, OrderEventType.PLACED)).setTotalMinor(total)
                .setCurrency("JPY").build();
    }

    @Test
    void ranksChooseAudienceAndContentAndTheirChangesFireScenarios() throws Exception {
        List<Scenario> scenarios = new ArrayList<>();
        for (String document : SCENARIOS.split("---\n")) {
            scenarios.add(ScenarioLoader.parse("rank-scenarios.yaml", document));
        }
        List<CustomerProfile> profiles = new ArrayList<>();
        List<OrderEvent> orders = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            profiles.add(Events.profile("b" + i, Duration.ofHours(-1), true));
        }
        profiles.add(Events.profile("nobody", Duration.ofHours(-1), true));
        for (int i = 1; i <= 7; i++) {
            orders.add(order("b" + i, Duration.ofMinutes(i), 1000)); // seven one-off buyers of 1,000 yen
        }
        for (int i = 8; i <= 10; i++) { // three repeat buyers of 20,000, 30,000 and 40,000 yen
            orders.add(order("b" + i, Duration.ofMinutes(10), 5000));
            orders.add(order("b" + i, Duration.ofMinutes(20), (i - 7) * 10_000L + 5000));
        }
        // the first summary is at midnight (T0 + 15h): b10 super-loyal, b8 and b9 loyal, the rest non-loyal
        orders.add(order("b7", Duration.ofHours(25), 50_000)); // b7 jumps to the top at once
        List<ClickstreamEvent> clicks = new ArrayList<>();
        for (String customer : List.of("b10", "b9", "b1", "nobody")) {
            clicks.add(Events.cartAdd(customer, Duration.ofHours(26), "tea", 1));
        }

        StreamExecutionEnvironment env = DecisionPipelineTest.environment("rocksdb");
        RfmSettings rfm = RfmSettings.defaults(new RollingRfm(CurrencyTable.only("JPY"), Duration.ofDays(400).toMillis()));
        DecisionPipeline.Outputs outputs = DecisionPipeline.build(new DecisionPipeline.Inputs(
                        DecisionPipelineTest.source(env, clicks, ClickstreamEvent.class, e -> e.getEventTime(), "clicks"),
                        DecisionPipelineTest.source(env, orders, OrderEvent.class, e -> e.getEventTime(), "orders"),
                        DecisionPipelineTest.source(env, profiles, CustomerProfile.class, e -> e.getEventTime(), "profiles"),
                        null),
                scenarios, new DecisionPipeline.Tuning(Duration.ofDays(30), T0.plus(Duration.ofHours(48)),
                        LatePolicy.DEFAULT, DecisionPipeline.Tuning.DEFAULT_RESTOCK_BUCKETS, rfm));
        List<SendCommand> commands = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>();
        List<RfmRecord> records = new ArrayList<>();
        List<RfmSummary> summaries = new ArrayList<>();
        try (CloseableIterator<SendCommand> sent = outputs.sendCommands().collectAsync();
             CloseableIterator<Decision> decided = outputs.decisions().collectAsync();
             CloseableIterator<RfmRecord> rfmRecords = outputs.rfm().collectAsync();
             CloseableIterator<RfmSummary> rfmSummaries = outputs.rfmSummary().collectAsync()) {
            env.execute("rfm scenarios");
            sent.forEachRemaining(commands::add);
            decided.forEachRemaining(decisions::add);
            rfmRecords.forEachRemaining(records::add);
            rfmSummaries.forEachRemaining(summaries::add);
        }

        assertThat(summaries).extracting(RfmSummary::getAsOf)
                .containsExactly(T0.plus(Duration.ofHours(15)), T0.plus(Duration.ofHours(39)));
        assertThat(summaries.get(0).getRanks()).extracting(r -> r.getRank() + "=" + r.getCustomers())
                .containsExactly("super-loyal=1", "loyal=2", "loyal-candidate=0", "settled=0", "non-loyal=7");
        assertThat(summaries.get(1).getRanks()).extracting(r -> r.getRank() + "=" + r.getCustomers())
                .containsExactly("super-loyal=1", "loyal=2", "loyal-candidate=0", "settled=1", "non-loyal=6");
        Map<String, RfmRecord> latest = new HashMap<>();
        records.forEach(record -> latest.merge(record.getCustomerId(), record, (a, b) -> b.getAsOf().isBefore(a.getAsOf()) ? a : b));
        assertThat(latest.get("b7").getRank()).isEqualTo("super-loyal");
        assertThat(latest.get("b8").getRank()).isEqualTo("settled");
        assertThat(latest.get("b10").getRank()).as("b7 outspent b10 by the second summary").isEqualTo("loyal");
        assertThat(latest.get("b10").getLtvMinor()).as("average order x (1 + repeat rate 4/10, b7 now repeats)")
                .isEqualTo(Math.round(20_000 * 1.4));

        assertThat(commands).extracting(c -> c.getScenarioId() + " " + c.getCustomerId() + " " + c.getTemplate())
                .containsExactlyInAnyOrder("became-loyal b7 welcome-loyal", "slipping b8 we-miss-you",
                        "cart-coupon b10 cart-story", "cart-coupon b1 cart-coupon");
        assertThat(commands).filteredOn(c -> c.getScenarioId().equals("slipping")).singleElement()
                .satisfies(c -> assertThat(c.getTriggerTime()).isEqualTo(T0.plus(Duration.ofHours(39))));
        assertThat(decisions).filteredOn(d -> d.getOutcome() != DecisionOutcome.SENT)
                .extracting(d -> d.getCustomerId() + " " + d.getOutcome() + " " + d.getRule())
                .containsExactlyInAnyOrder("b9 DISCOUNT_WITHHELD rank.no-discount-to-loyal",
                        "nobody AUDIENCE_EXCLUDED cart-coupon.audience");
        assertThat(decisions).filteredOn(d -> d.getCustomerId().equals("nobody")).singleElement()
                .satisfies(d -> assertThat(d.getReason()).contains("rank unranked is not one of"));
    }

}
