package io.lifecyclemail.quickstart;

import io.lifecyclemail.common.flink.Ingest;
import io.lifecyclemail.common.kafka.AvroCodec;
import io.lifecyclemail.common.kafka.DecodeOrDeadLetter;
import io.lifecyclemail.common.kafka.InputRule;
import io.lifecyclemail.common.kafka.InputRules;
import io.lifecyclemail.decision.DecisionPipeline;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeadLetter;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.state.CustomerInput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * W2: the whole decision pipeline from Avro bytes. Every shipped scenario (the shipped Sequence,
 * disabled in deploy/, is switched on here), RFM, the shipped governor policy, over the generated
 * shop traffic ({@link ShopStream.Mix#SHOP}: carts, orders with shipments and cancellations, stock
 * changes, profiles with birthdays, points and consent). The traffic is encoded once before the runs,
 * each event as the Kafka topic holds it (Avro single-object encoding), and each run decodes and
 * checks it with the job's own deserializer and splits dead letters off as the job does; only the
 * Kafka client is left out (W3 has it). Steady events/s as in {@link CartBenchmark}.
 *
 * <pre>mvn -q -Pbenchmark -DskipTests install -Dbenchmark.main=DecisionLoadBenchmark -Dbenchmark.args="[events] [customers] [backends|state] [parallelisms]"</pre>
 * ({@code customers}: a comma list runs each size in turn and compares time per event with the first;
 * {@code backends}: comma list of hashmap, rocksdb; {@code parallelisms}: comma list of 1, 2, e.g. "1,2";
 * {@code state}: instead of the runs, the customer stage's keyed state after the input, as a snapshot measures it.)
 */
public final class DecisionLoadBenchmark {
    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 500_000;
        List<Integer> customerCounts = args.length > 1 ? java.util.Arrays.stream(args[1].split(","))
                .map(Integer::parseInt).toList() : List.of((int) (events / 10));
        List<String> backends = List.of((args.length > 2 ? args[2] : "hashmap,rocksdb").split(","));
        List<Integer> parallelisms = java.util.Arrays.stream((args.length > 3 ? args[3] : "2").split(","))
                .map(Integer::parseInt).toList();
        ScenarioLoader.Configuration configuration = everyScenario();
        if (backends.contains("state")) {
            measureState(new ShopStream(events, customerCounts.get(0), 7, ShopStream.Mix.SHOP), configuration);
            return;
        }
        System.out.printf("W2: %,d events, %d scenarios + RFM + governor%n", events, configuration.scenarios().size());
        System.out.println("| customers | state | parallelism | steady events/s | time per event vs the first row "
                + "| wall time | peak heap | send commands |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        double first = Double.NaN;
        for (int customers : customerCounts) {
            ShopStream stream = new ShopStream(events, customers, 7, ShopStream.Mix.SHOP);
            long end = ShopStream.START.toEpochMilli() + stream.events() * ShopStream.STEP_MILLIS;
            Encoded.encode(stream);
            for (int parallelism : parallelisms) {
                for (String backend : backends) {
                    StreamExecutionEnvironment env = CartBenchmark.environment(backend, parallelism);
                    DecisionPipeline.Outputs outputs = DecisionPipeline.build(
                            Encoded.inputs(env, stream, parallelism), configuration,
                            // decide only up to the input's end: yearly scenarios would otherwise fire year after year
                            new DecisionPipeline.Tuning(Duration.ofDays(30), java.time.Instant.ofEpochMilli(end),
                                    LatePolicy.DEFAULT, DecisionPipeline.Tuning.DEFAULT_RESTOCK_BUCKETS,
                                    DecisionBenchmark.RFM));
                    discard(outputs);
                    CartBenchmark.Result result = CartBenchmark.execute(env, "W2 " + backend, stream.events(), false);
                    if (Double.isNaN(first)) {
                        first = result.steadyEventsPerSecond();
                    }
                    System.out.printf("| %,d | %s | %d | %,.0f | %.2fx | %.1f s | %,d MB | %,d |%n", customers, backend,
                            parallelism, result.steadyEventsPerSecond(), first / result.steadyEventsPerSecond(),
                            result.wallSeconds(), result.peakHeapBytes() >> 20, result.triggers());
                }
            }
        }
    }

    /** The customer stage's keyed state after the input, per customer, as a snapshot measures it. */
    private static void measureState(ShopStream stream, ScenarioLoader.Configuration configuration) throws Exception {
        int customers = stream.customers();
        long end = ShopStream.START.toEpochMilli() + stream.events() * ShopStream.STEP_MILLIS;
        List<CustomerInput> inputs = new ArrayList<>();
        for (long position = 0; position < stream.events(); position++) {
            SpecificRecord event = stream.event(position);
            if (!(event instanceof InventoryChange)) { // stock is kept per product, not per customer
                inputs.add(new CustomerInput(event));
            }
        }
        List<io.lifecyclemail.decision.detect.Detector<?>> detectors =
                DecisionPipeline.detectors(configuration.scenarios(), Duration.ofDays(30));
        long[] state = DecisionBenchmark.customerState(inputs, detectors, end);
        System.out.printf("customer-scenarios state after the input: %,d bytes, %,d entries, %,d timers, %.0f bytes per customer%n",
                state[0], state[1], state[2], (double) state[0] / customers);
        if (Boolean.getBoolean("w2.state-by-detector")) {
            // what each detector adds: the state without it, subtracted from the whole
            System.out.println("| left out | bytes per customer it adds |");
            System.out.println("|---|---|");
            for (var detector : detectors) {
                List<io.lifecyclemail.decision.detect.Detector<?>> others = new ArrayList<>(detectors);
                others.remove(detector);
                long[] without = DecisionBenchmark.customerState(inputs, others, end);
                System.out.printf("| %s | %.0f |%n", detector.stateName(), (double) (state[0] - without[0]) / customers);
            }
            long[] noIds = DecisionBenchmark.customerState(inputs, detectors, end, new io.lifecyclemail.decision.detect.LatePolicy(
                    Duration.ZERO, io.lifecyclemail.decision.detect.LatePolicy.Beyond.DROP));
            System.out.printf("| (the memory of applied event ids, allowed lateness 1 h: %,d timers without it) | %.0f |%n",
                    noIds[2], (double) (state[0] - noIds[0]) / customers);
            long[] none = DecisionBenchmark.customerState(inputs, List.of(), end);
            System.out.printf("| (every detector: what remains is the stage's own) | %.0f |%n",
                    (double) (state[0] - none[0]) / customers);
        }
    }

    private static void discard(DecisionPipeline.Outputs outputs) {
        outputs.sendCommands().map(command -> {
            CartBenchmark.Triggers.add(command.getCustomerId(), command.getTriggerTime().toEpochMilli());
            return 0;
        }).name("count-commands").uid("count-commands").sinkTo(new DiscardingSink<>()).name("discard").uid("discard");
        outputs.decisions().sinkTo(new DiscardingSink<>()).name("decisions").uid("decisions");
        outputs.rfm().sinkTo(new DiscardingSink<>()).name("rfm").uid("rfm");
        outputs.rfmSummary().sinkTo(new DiscardingSink<>()).name("rfm-summary").uid("rfm-summary");
        outputs.conversions().sinkTo(new DiscardingSink<>()).name("conversions").uid("conversions");
    }

    /**
     * The shipped scenarios and policy, the Sequence switched on (it ships disabled);
     * {@code -Dw2.sequence=false} (in benchmark.jvm) leaves it off, to show what it costs.
     */
    static ScenarioLoader.Configuration everyScenario() {
        ScenarioLoader.Configuration shipped = ScenarioLoader.loadConfiguration(Path.of("deploy/scenarios"));
        boolean sequence = Boolean.parseBoolean(System.getProperty("w2.sequence", "true"));
        List<Scenario> scenarios = shipped.scenarios().stream().map(scenario -> sequence && scenario instanceof SequenceScenario s
                ? new SequenceScenario(s.id(), s.version(), s.description(), true, s.steps(), s.within(), s.thenNot(),
                s.template(), s.policy()) : scenario).filter(Scenario::enabled).toList();
        return new ScenarioLoader.Configuration(scenarios, shipped.policy());
    }

    /** The stream encoded as the topics hold it, once per process (the mini cluster runs in this JVM). */
    static final class Encoded {
        static final String[] TOPICS = {LocalTopics.CLICKSTREAM, LocalTopics.ORDERS, LocalTopics.PROFILES,
                LocalTopics.INVENTORY};
        static byte[] topics;
        static byte[][] values;

        static void encode(ShopStream stream) {
            int size = Math.toIntExact(stream.events());
            topics = new byte[size];
            values = new byte[size][];
            AvroCodec<ClickstreamEvent> clicks = AvroCodec.of(ClickstreamEvent.class);
            AvroCodec<OrderEvent> orders = AvroCodec.of(OrderEvent.class);
            AvroCodec<CustomerProfile> profiles = AvroCodec.of(CustomerProfile.class);
            AvroCodec<InventoryChange> inventory = AvroCodec.of(InventoryChange.class);
            long bytes = 0;
            long[] perTopic = new long[TOPICS.length];
            for (int position = 0; position < size; position++) {
                SpecificRecord event = stream.event(position);
                if (event instanceof ClickstreamEvent click) {
                    values[position] = clicks.encode(click);
                } else if (event instanceof OrderEvent order) {
                    topics[position] = 1;
                    values[position] = orders.encode(order);
                } else if (event instanceof CustomerProfile profile) {
                    topics[position] = 2;
                    values[position] = profiles.encode(profile);
                } else {
                    topics[position] = 3;
                    values[position] = inventory.encode((InventoryChange) event);
                }
                bytes += values[position].length;
                perTopic[topics[position]]++;
            }
            System.out.printf("encoded: %,d bytes (%.0f per event); %,d clicks, %,d orders (shipments and "
                            + "cancellations included), %,d profiles, %,d stock changes%n", bytes,
                    (double) bytes / size, perTopic[0], perTopic[1], perTopic[2], perTopic[3]);
        }

        /** A source of the encoded records in event-time order per split, decoded per topic as the job does. */
        static DecisionPipeline.Inputs inputs(StreamExecutionEnvironment env, ShopStream stream, int parallelism) {
            long block = stream.events() / parallelism;
            long start = ShopStream.START.toEpochMilli();
            TypeInformation<Tuple3<Byte, Long, byte[]>> type =
                    Types.TUPLE(Types.BYTE, Types.LONG, Types.PRIMITIVE_ARRAY(Types.BYTE));
            DataStream<Tuple3<Byte, Long, byte[]>> raw = env.fromSource(new DataGeneratorSource<>(index -> {
                                long position = ShopStream.position(index, block, parallelism);
                                return Tuple3.of(topics[(int) position], start + position * ShopStream.STEP_MILLIS,
                                        values[(int) position]);
                            }, stream.events(), RateLimiterStrategy.noOp(), type),
                            WatermarkStrategy.<Tuple3<Byte, Long, byte[]>>forMonotonousTimestamps()
                                    .withTimestampAssigner((record, previous) -> record.f1), "encoded-shop")
                    .uid("encoded-shop")
                    .map(record -> {
                        CartBenchmark.Progress.READ.increment();
                        return record;
                    }, type).name("count-input").uid("count-input");
            return new DecisionPipeline.Inputs(
                    decoded(raw, 0, ClickstreamEvent.class, InputRules.CLICKSTREAM),
                    decoded(raw, 1, OrderEvent.class, InputRules.ORDERS),
                    decoded(raw, 2, CustomerProfile.class, InputRules.PROFILES),
                    decoded(raw, 3, InventoryChange.class, InputRules.INVENTORY), null, null, null);
        }

        private static <T extends SpecificRecordBase> DataStream<T> decoded(
                DataStream<Tuple3<Byte, Long, byte[]>> raw, int topic, Class<T> type, InputRule<T> rule) {
            String name = TOPICS[topic];
            DecodeOrDeadLetter<T> decoder = new DecodeOrDeadLetter<>(type, rule, "benchmark");
            DataStream<Either<DeadLetter, T>> decoded = raw.filter(record -> record.f0 == topic)
                    .name(name).uid(name)
                    .flatMap((FlatMapFunction<Tuple3<Byte, Long, byte[]>, Either<DeadLetter, T>>) (record, out) ->
                            decoder.deserialize(new ConsumerRecord<>(name, 0, -1L, null, record.f2), out),
                            new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(type)))
                    .name(name + "-decode").uid(name + "-decode");
            return Ingest.split(decoded, new AvroTypeInfo<>(type), name).events();
        }
    }
}
