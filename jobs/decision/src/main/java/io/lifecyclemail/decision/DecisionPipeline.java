package io.lifecyclemail.decision;

import io.lifecyclemail.decision.cart.CartAbandonment;
import io.lifecyclemail.decision.flink.CartAbandonmentFunction;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.CustomerInput;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The decision job as a pure function from input streams to output streams: no connectors and no
 * environment settings, so tests run it on in-memory streams.
 */
public final class DecisionPipeline {
    private DecisionPipeline() {}

    public record Inputs(DataStream<ClickstreamEvent> clickstream, DataStream<OrderEvent> orders,
                         DataStream<CustomerProfile> profiles) {}

    public record Outputs(DataStream<SendCommand> sendCommands, DataStream<Decision> decisions) {}

    public static Outputs build(Inputs inputs, List<Scenario> scenarios, Duration cartRetention) {
        CartAbandonment cartRules = new CartAbandonment(scenarios.stream()
                .filter(CartAbandonmentScenario.class::isInstance)
                .map(CartAbandonmentScenario.class::cast)
                .toList(), cartRetention);
        TypeInformation<CustomerInput> inputType = new AvroTypeInfo<>(CustomerInput.class);

        // Only what can change a cart or consent enters keyed state; page views stop here.
        // (Lambdas, not CustomerInput::new: javac shares one deserializer for identical serializable
        // method references, and the second would cast its input to the first one's type.)
        DataStream<CustomerInput> cartChanges = inputs.clickstream()
                .filter(CartAbandonment::isCartChange).name("cart-changes").uid("cart-changes")
                .map(click -> new CustomerInput(click), inputType).name("clickstream-as-input").uid("clickstream-as-input");
        DataStream<CustomerInput> purchases = inputs.orders()
                .filter(CartAbandonment::isPurchase).name("purchases").uid("purchases")
                .map(order -> new CustomerInput(order), inputType).name("orders-as-input").uid("orders-as-input");
        DataStream<CustomerInput> profiles = inputs.profiles()
                .map(profile -> new CustomerInput(profile), inputType).name("profiles-as-input").uid("profiles-as-input");

        SingleOutputStreamOperator<Decision> decisions = cartChanges.union(purchases, profiles)
                .keyBy(CustomerInputs::customerId)
                .process(new CartAbandonmentFunction(cartRules), new AvroTypeInfo<>(Decision.class))
                .name("cart-abandonment").uid("cart-abandonment");
        return new Outputs(decisions.getSideOutput(CartAbandonmentFunction.SEND_COMMANDS), decisions);
    }
}
