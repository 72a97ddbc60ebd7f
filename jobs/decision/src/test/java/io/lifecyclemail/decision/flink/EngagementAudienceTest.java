package io.lifecyclemail.decision.flink;

import static io.lifecyclemail.decision.Events.cartAdd;
import static io.lifecyclemail.decision.Events.input;
import static io.lifecyclemail.decision.Events.millis;
import static io.lifecyclemail.decision.Events.profile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.DecisionPipeline;
import io.lifecyclemail.decision.Events;
import io.lifecyclemail.decision.detect.EngagementMemory;
import io.lifecyclemail.decision.scenario.Audience;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.EngagementType;
import io.lifecyclemail.state.CustomerInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Segments by what customers did with earlier mail: an offer only to those who opened the spring
 * sale's mail within a week, a plain reminder to those who have not opened anything for 30 days.
 * Read from YAML, run in the customer stage as Flink runs it.
 */
class EngagementAudienceTest {
    static final String SCENARIOS = """
            apiVersion: lifecyclemail.io/v1
            kind: CartAbandonment
            metadata:
              id: cart-openers
            spec:
              wait: 2h
              template: cart-coupon
              audience:
                opened:
                  within: 7d
                  of: [spring-sale]
            ---
            apiVersion: lifecyclemail.io/v1
            kind: CartAbandonment
            metadata:
              id: cart-quiet
            spec:
              wait: 3h
              template: cart-abandonment
              audience:
                notOpened: {within: 30d}
                notClicked: {within: 10d}
            """;

    static List<Scenario> scenarios(String yaml) {
        List<Scenario> scenarios = new ArrayList<>();
        for (String document : yaml.split("---\n")) {
            scenarios.add(ScenarioLoader.parse("engagement.yaml", document));
        }
        return scenarios;
    }

    static EngagementEvent engagement(String customer, Duration at, EngagementType type, String scenario) {
        return EngagementEvent.newBuilder().setEventId(customer + "-" + type + "-" + at).setEventTime(Events.at(at))
                .setCustomerId(customer).setType(type).setScenarioId(scenario).setSendId("s-" + at).build();
    }

    static void push(KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness, Object event)
            throws Exception {
        CustomerInput input = input(event);
        harness.processElement(new StreamRecord<>(input, CustomerInputs.eventTime(input)));
    }

    /** The customers whose parts of state hold {@code part} (a detector's state name). */
    static List<String> keysWith(KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness,
                                 String part) throws Exception {
        @SuppressWarnings("unchecked")
        KeyedStateBackend<String> backend = (KeyedStateBackend<String>) (KeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
        List<String> customers;
        try (java.util.stream.Stream<String> keys = backend.getKeys(CustomerScenariosFunction.CUSTOMER_PARTS, VoidNamespace.INSTANCE)) {
            customers = keys.toList();
        }
        List<String> with = new java.util.ArrayList<>();
        for (String customer : customers) {
            backend.setCurrentKey(customer);
            var parts = backend.getPartitionedState(VoidNamespace.INSTANCE,
                    org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                    new org.apache.flink.api.common.state.ValueStateDescriptor<>(CustomerScenariosFunction.CUSTOMER_PARTS,
                            new io.lifecyclemail.common.flink.RecordBundleTypeInfo(List.of()))).value();
            if (parts != null && parts.get(part) != null) {
                with.add(customer);
            }
        }
        return with;
    }

    @Test
    void openersGetTheOfferAndTheQuietGetTheReminderAndEachIsToldWhyNot() throws Exception {
        List<Scenario> scenarios = scenarios(SCENARIOS);
        var harness = CustomerScenariosFunctionTest.harness(new CustomerScenariosFunction(
                DecisionPipeline.detectors(scenarios, Duration.ofDays(30))));
        Duration day = Duration.ofDays(1);
        for (String customer : List.of("opener", "old-opener", "clicker-elsewhere", "never")) {
            push(harness, profile(customer, Duration.ZERO, true));
        }
        push(harness, engagement("opener", day, EngagementType.OPENED, "spring-sale"));
        push(harness, engagement("old-opener", day, EngagementType.OPENED, "spring-sale"));
        push(harness, engagement("clicker-elsewhere", day.multipliedBy(6), EngagementType.CLICKED, "newsletter"));
        Duration cartAt = day.multipliedBy(7);
        for (String customer : List.of("opener", "clicker-elsewhere", "never")) {
            push(harness, cartAdd(customer, cartAt, "tea", 1));
        }
        // decided at its deadline, a week and 3 hours after the open: just outside the 7 days
        push(harness, cartAdd("old-opener", cartAt.plusDays(1).plusHours(1), "tea", 1));
        harness.processWatermark(new Watermark(millis(cartAt.plusDays(1).plusHours(5))));

        List<String> decided = harness.extractOutputValues().stream()
                .map(d -> d.getScenarioId() + " " + d.getCustomerId() + " " + d.getOutcome()).toList();
        assertThat(decided).containsExactlyInAnyOrder(
                "cart-openers opener SENT",
                "cart-openers old-opener AUDIENCE_EXCLUDED",
                "cart-openers clicker-elsewhere AUDIENCE_EXCLUDED", // a click of another scenario's mail
                "cart-openers never AUDIENCE_EXCLUDED",
                "cart-quiet opener AUDIENCE_EXCLUDED",
                "cart-quiet old-opener AUDIENCE_EXCLUDED",       // opened 7 days before: within 30d
                "cart-quiet clicker-elsewhere AUDIENCE_EXCLUDED",
                "cart-quiet never SENT");
        Decision oldOpener = harness.extractOutputValues().stream()
                .filter(d -> d.getCustomerId().equals("old-opener") && d.getScenarioId().equals("cart-openers"))
                .findFirst().orElseThrow();
        assertThat(oldOpener.getRule()).isEqualTo("cart-openers.audience");
        assertThat(oldOpener.getReason()).endsWith("but has not opened a mail of [spring-sale] within 1w");
        Decision clicker = harness.extractOutputValues().stream()
                .filter(d -> d.getCustomerId().equals("clicker-elsewhere") && d.getScenarioId().equals("cart-quiet"))
                .findFirst().orElseThrow();
        assertThat(clicker.getReason()).endsWith("but opened a mail within 30d; clicked a mail within 10d");

        // nothing of the opens is kept once no audience's window (30 days at most) can see them
        assertThat(keysWith(harness, "engagement-log")).containsExactlyInAnyOrder("opener", "old-opener", "clicker-elsewhere");
        harness.processWatermark(new Watermark(millis(day.multipliedBy(40))));
        assertThat(keysWith(harness, "engagement-log")).as("opens past every window").isEmpty();
        assertThat(harness.numKeyedStateEntries()).as("only the four consents are left").isEqualTo(4);
        assertThat(keysWith(harness, "governor")).hasSize(4);
        assertThat(harness.numEventTimeTimers()).isZero();
        harness.close();
    }

    @Test
    void withoutEngagementAudiencesOpensAreNotKept() {
        List<Scenario> plain = scenarios(SCENARIOS.replaceAll("(?s)  audience:.*?(?=---|$)", ""));
        assertThat(DecisionPipeline.detectors(plain, Duration.ofDays(30)))
                .noneMatch(detector -> detector instanceof EngagementMemory);
        assertThat(EngagementMemory.forScenarios(scenarios(SCENARIOS))).get()
                .satisfies(memory -> assertThat(memory.accepts(engagement("x", Duration.ZERO, EngagementType.OPENED, null))).isTrue())
                .satisfies(memory -> assertThat(memory.accepts(engagement("x", Duration.ZERO, EngagementType.SENT, null))).isFalse());
    }

    @Test
    void badEngagementRulesAreRefusedWithFileLineAndField() {
        String one = SCENARIOS.split("---\n")[0];
        assertThatThrownBy(() -> ScenarioLoader.parse("engagement.yaml", one.replace("within: 7d", "within: soon")))
                .hasMessageContaining("engagement.yaml:10: spec.audience.opened.within:");
        assertThatThrownBy(() -> ScenarioLoader.parse("engagement.yaml", one.replace("[spring-sale]", "[Spring Sale]")))
                .hasMessageContaining("engagement.yaml:11: spec.audience.opened.of[0]: 'Spring Sale' is not allowed; expected scenario ids");
        assertThatThrownBy(() -> ScenarioLoader.parse("engagement.yaml", one.replace("within: 7d", "since: 7d")))
                .hasMessageContaining("spec.audience.opened.within: is required");
        Audience audience = ScenarioLoader.parse("engagement.yaml", one).policy().audience();
        assertThat(audience.everyone()).isFalse();
        assertThat(audience.excludes(null)).as("rank rules alone: no engagement known")
                .isEqualTo("has not opened a mail of [spring-sale] within 1w");
    }
}
