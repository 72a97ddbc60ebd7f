package io.lifecyclemail.quickstart;

import io.lifecyclemail.decision.DecisionPipeline;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.state.CustomerInput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * W2 so far: the decision pipeline with the shipped scenarios (Sequence and Restock left out: the
 * shipped Sequence is disabled, and {@link ShopStream} has no stock changes yet), RFM on, the
 * default governor policy, over the generated shop traffic with cart removals, as objects (not yet
 * from Avro bytes). Steady events/s as in {@link CartBenchmark}; heap and RocksDB.
 *
 * <pre>mvn -q -Pbenchmark -DskipTests install -Dbenchmark.main=DecisionLoadBenchmark -Dbenchmark.args="[events] [customers] [backends|state]"</pre>
 * ({@code state}: instead of the runs, the customer stage's keyed state after the input, as a snapshot measures it.)
 */
public final class DecisionLoadBenchmark {
    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 500_000;
        int customers = args.length > 1 ? Integer.parseInt(args[1]) : (int) (events / 10);
        List<String> backends = List.of((args.length > 2 ? args[2] : "hashmap,rocksdb").split(","));
        ShopStream stream = new ShopStream(events, customers, 7, ShopStream.Mix.SHOP);
        ScenarioLoader.Configuration shipped = ScenarioLoader.loadConfiguration(Path.of("deploy/scenarios"));
        List<Scenario> scenarios = shipped.scenarios().stream().filter(Scenario::enabled)
                .filter(s -> !(s instanceof SequenceScenario) && !(s instanceof RestockScenario)).toList();
        System.out.printf("W2 (partial): %,d events, %,d customers, %d scenarios + RFM, parallelism 2%n",
                stream.events(), customers, scenarios.size());
        if (backends.contains("state")) { // the keyed state of the customer stage after the input, per customer
            List<CustomerInput> inputs = new java.util.ArrayList<>();
            for (long position = 0; position < stream.events(); position++) {
                inputs.add(stream.at(position));
            }
            long end = ShopStream.START.toEpochMilli() + stream.events() * ShopStream.STEP_MILLIS;
            long[] state = DecisionBenchmark.customerState(inputs,
                    DecisionPipeline.detectors(scenarios, Duration.ofDays(30)), end);
            System.out.printf("customer-scenarios state after the input: %,d bytes, %,d entries, %.0f bytes per customer%n",
                    state[0], state[1], (double) state[0] / customers);
            return;
        }
        System.out.println("| state | steady events/s | wall time | send commands |");
        System.out.println("|---|---|---|---|");
        for (String backend : backends) {
            StreamExecutionEnvironment env = CartBenchmark.environment(backend, 2);
            DataStream<CustomerInput> input = CartBenchmark.source(env, stream, 2, 0);
            DecisionPipeline.Outputs outputs = DecisionPipeline.build(CartBenchmark.inputs(input),
                    new ScenarioLoader.Configuration(scenarios, shipped.policy()),
                    // decide only up to the input's end: yearly scenarios would otherwise fire year after year
                    new DecisionPipeline.Tuning(Duration.ofDays(30),
                            ShopStream.START.plusMillis(stream.events() * ShopStream.STEP_MILLIS), LatePolicy.DEFAULT,
                            DecisionPipeline.Tuning.DEFAULT_RESTOCK_BUCKETS, DecisionBenchmark.RFM));
            outputs.sendCommands().map(command -> {
                CartBenchmark.Triggers.add(command.getCustomerId(), command.getTriggerTime().toEpochMilli());
                return 0;
            }).name("count-commands").uid("count-commands").sinkTo(new DiscardingSink<>()).name("discard").uid("discard");
            outputs.decisions().sinkTo(new DiscardingSink<>()).name("decisions").uid("decisions");
            outputs.rfm().sinkTo(new DiscardingSink<>()).name("rfm").uid("rfm");
            outputs.rfmSummary().sinkTo(new DiscardingSink<>()).name("rfm-summary").uid("rfm-summary");
            outputs.conversions().sinkTo(new DiscardingSink<>()).name("conversions").uid("conversions");
            CartBenchmark.Result result = CartBenchmark.execute(env, "W2 " + backend, stream.events(), false);
            System.out.printf("| %s | %,.0f | %.1f s | %,d |%n", backend, result.steadyEventsPerSecond(),
                    result.wallSeconds(), result.triggers());
        }
    }
}
