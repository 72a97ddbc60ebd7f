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
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
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
 * {@code state}: instead of the runs, the whole job's state after the input, as a savepoint of it holds it, per
 * operator and per state; with {@code -Dw2.state-by-detector=true} then the customer stage's keyed state alone
 * on a test harness, and what each detector adds to it: that run holds every event as an object, so keep it
 * to sizes of about 10^6 events.)
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
            ShopStream stream = new ShopStream(events, customerCounts.get(0), 7, ShopStream.Mix.SHOP);
            measureJobState(stream, configuration, parallelisms.get(0));
            if (Boolean.getBoolean("w2.state-by-detector")) {
                measureState(stream, configuration);
            }
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
                            Encoded.inputs(env, stream, parallelism, false), configuration,
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

    /**
     * The whole job's state after the input, every stage: the job runs on the heap backend until the
     * input is read and the watermark is at its end, then a savepoint is taken and read back, and
     * each operator's share is printed with the total per customer.
     */
    private static void measureJobState(ShopStream stream, ScenarioLoader.Configuration configuration,
                                        int parallelism) throws Exception {
        long end = ShopStream.START.toEpochMilli() + stream.events() * ShopStream.STEP_MILLIS;
        Encoded.encode(stream);
        Path savepoints = Files.createTempDirectory("lcm-w2-state");
        StreamExecutionEnvironment env = CartBenchmark.environment("hashmap", parallelism);
        Configuration storage = new Configuration(); // a savepoint larger than 5 MB does not fit the job manager's memory
        storage.setString("execution.checkpointing.storage", "filesystem");
        storage.setString("execution.checkpointing.dir", savepoints.toUri().toString());
        env.configure(storage);
        DecisionPipeline.Outputs outputs = DecisionPipeline.build(Encoded.inputs(env, stream, parallelism, true),
                configuration, new DecisionPipeline.Tuning(Duration.ofDays(30), java.time.Instant.ofEpochMilli(end),
                        LatePolicy.DEFAULT, DecisionPipeline.Tuning.DEFAULT_RESTOCK_BUCKETS, DecisionBenchmark.RFM));
        discard(outputs);
        StreamGraph graph = env.getStreamGraph();
        Map<String, TypeSerializer<?>> keySerializers = new HashMap<>();
        graph.getStreamNodes().stream().filter(node -> node.getStateKeySerializer() != null)
                .forEach(node -> keySerializers.put(node.getTransformationUID(), node.getStateKeySerializer()));
        Map<OperatorID, String> uids = new HashMap<>();
        for (JobVertex vertex : graph.getJobGraph().getVertices()) {
            vertex.getOperatorIDs().forEach(ids -> uids.put(ids.getGeneratedOperatorID(), ids.getUserDefinedOperatorUid()));
        }
        CartBenchmark.Triggers.reset(false);
        CartBenchmark.Progress.READ.reset();
        JobClient job = env.executeAsync(graph);
        String savepoint;
        try {
            while (CartBenchmark.Progress.READ.sum() < stream.events()) {
                Thread.sleep(100);
            }
            // the source's watermark reaches the end within its interval; the savepoint's barrier follows it
            // through every channel, so each stage's state is taken after it has handled the watermark
            Thread.sleep(3_000);
            savepoint = job.triggerSavepoint(savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get();
        } finally {
            job.cancel().get();
        }
        Path directory = Path.of(java.net.URI.create(savepoint));
        CheckpointMetadata metadata;
        try (var in = new DataInputStream(Files.newInputStream(directory.resolve("_metadata")))) {
            metadata = Checkpoints.loadCheckpointMetadata(in, DecisionLoadBenchmark.class.getClassLoader(),
                    directory.toString());
        }
        long files;
        try (var walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
        int customers = stream.customers();
        System.out.printf("%nthe whole job's state after %,d events of %,d customers (%,d send commands), parallelism %d, "
                + "as a savepoint holds it; ids %s%n", stream.events(), customers, CartBenchmark.Triggers.COUNT.sum(), parallelism,
                ShopStream.UUID_IDS ? "as UUIDs (-Dshop.ids=uuid)" : "short (\"c123\", \"e4567\"; -Dshop.ids=uuid for UUIDs)");
        System.out.println("| operator | bytes | per customer |");
        System.out.println("|---|---|---|");
        long total = 0;
        for (OperatorState operator : metadata.getOperatorStates().stream()
                .sorted(java.util.Comparator.comparingLong(OperatorState::getStateSize).reversed()).toList()) {
            total += operator.getStateSize();
            if (operator.getStateSize() > 0) {
                System.out.printf("| %s | %,d | %.0f |%n", uids.getOrDefault(operator.getOperatorID(),
                        operator.getOperatorID().toString()), operator.getStateSize(), (double) operator.getStateSize() / customers);
            }
        }
        System.out.printf("| **every operator** | %,d | **%.0f** |%n", total, (double) total / customers);
        System.out.printf("(the savepoint's files, its metadata included: %,d bytes)%n%n", files);
        System.out.println("| operator | state | entries | bytes written again | per customer |");
        System.out.println("|---|---|---|---|---|");
        for (OperatorState operator : metadata.getOperatorStates()) {
            String uid = uids.get(operator.getOperatorID());
            if (operator.getStateSize() == 0 || !keySerializers.containsKey(uid)) {
                continue;
            }
            for (var state : SavepointBreakdown.keyedState(operator, keySerializers.get(uid)).entrySet()) {
                System.out.printf("| %s | %s | %,d | %,d | %.0f |%n", uid, state.getKey(), state.getValue().entries(),
                        state.getValue().bytes(), (double) state.getValue().bytes() / customers);
            }
        }
        System.out.println();
        try (var walk = Files.walk(savepoints)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
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

        /** A split's records after its part of the stream when the source is held open: no topic, at the end. */
        private static final byte NO_TOPIC = -1;

        /**
         * A source of the encoded records in event-time order per split, decoded per topic as the job does;
         * {@code holdOpen}: after the stream the source does not finish but sends, a few a second, records
         * of no topic at the stream's end, so the job keeps running (and its state) with the watermark there.
         */
        static DecisionPipeline.Inputs inputs(StreamExecutionEnvironment env, ShopStream stream, int parallelism,
                                              boolean holdOpen) {
            long block = stream.events() / parallelism;
            long split = holdOpen ? Long.MAX_VALUE / parallelism : block;
            long start = ShopStream.START.toEpochMilli();
            long end = start + stream.events() * ShopStream.STEP_MILLIS;
            TypeInformation<Tuple3<Byte, Long, byte[]>> type =
                    Types.TUPLE(Types.BYTE, Types.LONG, Types.PRIMITIVE_ARRAY(Types.BYTE));
            DataStream<Tuple3<Byte, Long, byte[]>> raw = env.fromSource(new DataGeneratorSource<>(index -> {
                                if (index % split >= block) {
                                    Thread.sleep(10);
                                    return Tuple3.of(NO_TOPIC, end, new byte[0]);
                                }
                                long position = ShopStream.position(index, split, parallelism);
                                return Tuple3.of(topics[(int) position], start + position * ShopStream.STEP_MILLIS,
                                        values[(int) position]);
                            }, split * parallelism, RateLimiterStrategy.noOp(), type),
                            WatermarkStrategy.<Tuple3<Byte, Long, byte[]>>forMonotonousTimestamps()
                                    .withTimestampAssigner((record, previous) -> record.f1), "encoded-shop")
                    .uid("encoded-shop")
                    .map(record -> {
                        if (record.f0 != NO_TOPIC) {
                            CartBenchmark.Progress.READ.increment();
                        }
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
                            new EitherTypeInfo<>(new AvroBinaryTypeInfo<>(DeadLetter.class), new AvroBinaryTypeInfo<>(type)))
                    .name(name + "-decode").uid(name + "-decode");
            return Ingest.split(decoded, new AvroBinaryTypeInfo<>(type), name).events();
        }
    }
}
