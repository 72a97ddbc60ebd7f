package io.lifecyclemail.decision.postpurchase;

import static io.lifecyclemail.decision.Events.ALICE;
import static io.lifecyclemail.decision.Events.millis;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.Events;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.scenario.PostPurchaseScenario;
import io.lifecyclemail.decision.scenario.PostPurchaseScenario.Step;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.state.PostPurchaseState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostPurchaseTest {
    final PostPurchase rules = new PostPurchase(new PostPurchaseScenario("after-order", 1, "", true, List.of(
            new Step("thanks", Duration.ZERO, "thanks"),
            new Step("shipped", null, "shipped"),
            new Step("how-is-it", Duration.ofDays(7), "review"),
            new Step("one-month", Duration.ofDays(30), "one-month"))));

    static OrderEvent event(String orderId, Duration at, OrderEventType type) {
        return OrderEvent.newBuilder(Events.order(ALICE, at, type)).setOrderId(orderId)
                .setTrackingNumber(type == OrderEventType.SHIPPED ? "JP123" : null).build();
    }

    List<String> steps(List<Candidate> candidates) {
        return candidates.stream().map(c -> c.step() + "/" + c.attributes().get("orderId") + "/" + c.template()).toList();
    }

    @Test
    void sendsEachStepOfEachOrderAtItsTime() {
        PostPurchaseState state = rules.apply(null, event("o1", Duration.ZERO, OrderEventType.PLACED));
        assertThat(steps(rules.due(ALICE, state, millis(Duration.ZERO)))).containsExactly("thanks/o1/thanks");
        state = rules.apply(state, event("o1", Duration.ofDays(2), OrderEventType.SHIPPED));
        List<Candidate> shipped = rules.due(ALICE, state, millis(Duration.ofDays(2)));
        assertThat(steps(shipped)).containsExactly("shipped/o1/shipped");
        assertThat(shipped.get(0).attributes()).containsEntry("trackingNumber", "JP123");
        assertThat(rules.nextWakeUp(state)).hasValue(millis(Duration.ofDays(7)));
        assertThat(steps(rules.due(ALICE, state, millis(Duration.ofDays(30)))))
                .containsExactly("how-is-it/o1/review", "one-month/o1/one-month");
        assertThat(rules.expire(state, millis(Duration.ofDays(30)))).as("all steps done").isNull();
    }

    @Test
    void aCancelledOrderGetsNoMoreSteps() {
        PostPurchaseState state = rules.apply(null, event("o1", Duration.ZERO, OrderEventType.PLACED));
        rules.due(ALICE, state, millis(Duration.ZERO));
        state = rules.apply(state, event("o2", Duration.ofDays(1), OrderEventType.PLACED));
        state = rules.apply(state, event("o1", Duration.ofDays(3), OrderEventType.CANCELLED));
        assertThat(steps(rules.due(ALICE, state, millis(Duration.ofDays(8)))))
                .containsExactly("thanks/o2/thanks", "how-is-it/o2/review");
    }

    @Test
    void eachOrderHasItsOwnSendIdsAndAShipmentOfAnUnknownOrderIsIgnored() {
        PostPurchaseState state = rules.apply(null, event("o1", Duration.ZERO, OrderEventType.PLACED));
        assertThat(rules.apply(state, event("o9", Duration.ofDays(1), OrderEventType.SHIPPED))).isSameAs(state);
        state = rules.apply(state, event("o2", Duration.ZERO, OrderEventType.PLACED));
        assertThat(rules.due(ALICE, state, millis(Duration.ZERO))).extracting(Candidate::triggerEventId)
                .doesNotHaveDuplicates().hasSize(2);
    }
}
