package io.lifecyclemail.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.EngagementType;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.SendCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Opens and clicks from the engagement topic reach the customer stage through the whole pipeline
 * (they are let through only because an audience asks about them) and choose who gets the mail:
 * a time-limited offer to those who clicked the last campaign's mail.
 */
class EngagementSegmentsPipelineTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final String OFFER_TO_CLICKERS = """
            apiVersion: lifecyclemail.io/v1
            kind: CartAbandonment
            metadata:
              id: cart-clickers
            spec:
              wait: 1h
              template: cart-coupon
              audience:
                clicked: {within: 3d, of: [autumn-sale]}
            """;

    static EngagementEvent engagement(String customer, Duration at, EngagementType type) {
        return EngagementEvent.newBuilder().setEventId(customer + "-" + type).setEventTime(Events.at(at))
                .setCustomerId(customer).setType(type).setScenarioId("autumn-sale").setSendId("s-" + customer).build();
    }

    @Test
    void onlyTheCustomersWhoClickedGetTheOffer() throws Exception {
        List<Scenario> scenarios = List.of(ScenarioLoader.parse("clickers.yaml", OFFER_TO_CLICKERS));
        List<CustomerProfile> profiles = new ArrayList<>();
        List<ClickstreamEvent> clicks = new ArrayList<>();
        for (String customer : List.of("clicked", "opened", "unsubscribed", "silent")) {
            profiles.add(Events.profile(customer, Duration.ZERO, true));
            clicks.add(Events.cartAdd(customer, Duration.ofHours(30), "tea", 1));
        }
        List<EngagementEvent> engagement = List.of(
                engagement("clicked", Duration.ofHours(2), EngagementType.CLICKED),
                engagement("opened", Duration.ofHours(2), EngagementType.OPENED),
                engagement("unsubscribed", Duration.ofHours(2), EngagementType.CLICKED),
                engagement("unsubscribed", Duration.ofHours(3), EngagementType.UNSUBSCRIBED));

        StreamExecutionEnvironment env = DecisionPipelineTest.environment("hashmap");
        DecisionPipeline.Outputs outputs = DecisionPipeline.build(new DecisionPipeline.Inputs(
                        DecisionPipelineTest.source(env, clicks, ClickstreamEvent.class, e -> e.getEventTime(), "clicks"),
                        DecisionPipelineTest.source(env, List.of(Events.purchase("bystander", Duration.ofHours(1))), OrderEvent.class, e -> e.getEventTime(), "orders"),
                        DecisionPipelineTest.source(env, profiles, CustomerProfile.class, e -> e.getEventTime(), "profiles"),
                        null, null,
                        DecisionPipelineTest.source(env, engagement, EngagementEvent.class, e -> e.getEventTime(), "engagement"),
                        null),
                scenarios, new DecisionPipeline.Tuning(Duration.ofDays(30), Events.T0.plus(Duration.ofDays(2)), LatePolicy.DEFAULT));
        List<SendCommand> commands = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>();
        try (CloseableIterator<SendCommand> sent = outputs.sendCommands().collectAsync();
             CloseableIterator<Decision> decided = outputs.decisions().collectAsync()) {
            env.execute("engagement segments");
            sent.forEachRemaining(commands::add);
            decided.forEachRemaining(decisions::add);
        }

        assertThat(commands).extracting(SendCommand::getCustomerId).containsExactly("clicked");
        assertThat(decisions).extracting(d -> d.getCustomerId() + " " + d.getOutcome() + " " + d.getRule())
                .containsExactlyInAnyOrder("clicked SENT cart-clickers.wait",
                        "opened AUDIENCE_EXCLUDED cart-clickers.audience",
                        "silent AUDIENCE_EXCLUDED cart-clickers.audience",
                        "unsubscribed SUPPRESSED suppression.unsubscribed");
    }
}
