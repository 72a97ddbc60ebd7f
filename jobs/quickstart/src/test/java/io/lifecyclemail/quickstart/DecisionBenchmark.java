package io.lifecyclemail.quickstart;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.DecisionPipeline;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.flink.CustomerScenariosFunction;
import io.lifecyclemail.decision.flink.CustomerScenariosOperator;
import io.lifecyclemail.decision.flink.ArrivalsOperator;
import io.lifecyclemail.decision.flink.RestockInterestFunction;
import io.lifecyclemail.decision.restock.RestockInterest;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.ProductSignal;
import io.lifecyclemail.state.ScenarioTrigger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The decision job's figures, side by side in one run (this machine is noisy: compare ratios):
 * events/s of the whole pipeline with every built-in scenario, with RFM, and with the Sequence
 * example, against the cart-abandonment-only pipeline, on the same in-memory day of traffic,
 * RocksDB state, parallelism 2, alternating runs; and the state kept per customer after that day.
 *
 * <p>{@code mvn -q -Pbenchmark -DskipTests install [-Dbenchmark.args="<customers> <rounds>"]}
 */
public final class DecisionBenchmark {
    static final Instant START = Instant.parse("2026-11-02T00:00:00Z");
    static final Duration DAY = Duration.ofDays(1);

    public static void main(String[] args) throws Exception {
        int customers = args.length > 0 ? Integer.parseInt(args[0]) : 40_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        SampleShop.Traffic traffic = SampleShop.generate(customers, 7, START, DAY);
        List<Scenario> shipped = ScenarioLoader.loadDirectory(Path.of("deploy/scenarios"));
        // RankChange scenarios need RFM: they run in the RFM configurations only
        List<Scenario> builtIn = shipped.stream().filter(s -> !(s instanceof SequenceScenario))
                .filter(s -> !(s instanceof io.lifecyclemail.decision.scenario.RankChangeScenario)).toList();
        List<Scenario> builtInWithRanks = shipped.stream().filter(s -> !(s instanceof SequenceScenario)).toList();
        List<Scenario> withSequence = new ArrayList<>(builtInWithRanks);
        shipped.stream().filter(SequenceScenario.class::isInstance).map(SequenceScenario.class::cast)
                .map(s -> new SequenceScenario(s.id(), s.version(), s.description(), true, s.steps(), s.within(),
                        s.thenNot(), s.template(), s.policy()))
                .forEach(withSequence::add); // shipped disabled; measured here to show what it costs
        List<Scenario> cartOnly = builtIn.stream().filter(s -> s.kind().equals("CartAbandonment")).toList();
        System.out.printf("%d customers, one day: %d events (%d clickstream, %d orders, %d profiles, %d stock changes)%n",
                customers, traffic.size(), traffic.clickstream().size(), traffic.orders().size(),
                traffic.profiles().size(), traffic.inventory().size());

        // "rfm" as third argument: only the built-in scenarios without and with RFM, alternating (RFM's cost)
        boolean rfmOnly = args.length > 2 && args[2].equals("rfm");
        List<String> names = rfmOnly ? List.of("all " + builtIn.size() + " built-in scenarios", "the same + RFM (and the RankChange example)")
                : List.of("cart abandonment only", "all " + builtIn.size() + " built-in scenarios",
                "the same + RFM (and the RankChange example)", "the same + the Sequence example (CEP)");
        List<List<Scenario>> configurations = rfmOnly ? List.of(builtIn, builtInWithRanks)
                : List.of(cartOnly, builtIn, builtInWithRanks, withSequence);
        boolean[] withRfm = rfmOnly ? new boolean[] {false, true} : new boolean[] {false, false, true, true};
        long[] best = new long[configurations.size()];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
            for (int c = 0; c < configurations.size(); c++) {
                long millis = run(traffic, configurations.get(c), withRfm[c] ? RFM : null);
                best[c] = Math.min(best[c], millis);
                line.append(String.format(" %s %.1f s;", names.get(c), millis / 1000.0));
            }
            System.out.println(line);
        }
        if (rounds == 0) { // only the state figures
            stateAfterTheDay(traffic, builtIn, customers);
            return;
        }
        System.out.println();
        System.out.println("| pipeline | best wall time | events/s | relative to the first row |");
        System.out.println("|---|---|---|---|");
        for (int c = 0; c < configurations.size(); c++) {
            System.out.printf("| %s | %.1f s | %,.0f | %.2f |%n", names.get(c), best[c] / 1000.0,
                    traffic.size() * 1000.0 / best[c], (double) best[0] / best[c]);
        }

        stateAfterTheDay(traffic, builtIn, customers);
    }

    /** Wall time of the whole pipeline over the traffic (job start included), in ms. */
    static final io.lifecyclemail.decision.rfm.RfmSettings RFM = io.lifecyclemail.decision.rfm.RfmSettings.defaults(
            new io.lifecyclemail.decision.rfm.RollingRfm(io.lifecyclemail.decision.rfm.CurrencyTable.only("JPY"),
                    Duration.ofDays(400).toMillis())).withInterval(Duration.ofHours(1));

    static long run(SampleShop.Traffic traffic, List<Scenario> scenarios, io.lifecyclemail.decision.rfm.RfmSettings rfm)
            throws Exception {
        Configuration config = new Configuration();
        config.setString("state.backend.type", "rocksdb");
        config.setString("state.backend.rocksdb.localdir", "/tmp/lcm-bench-rocksdb");
        config.setString("pipeline.auto-generate-uids", "false");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, config);
        DecisionPipeline.Outputs outputs = DecisionPipeline.build(new DecisionPipeline.Inputs(
                        source(env, traffic.clickstream(), ClickstreamEvent.class, e -> e.getEventTime(), "clicks"),
                        source(env, traffic.orders(), OrderEvent.class, e -> e.getEventTime(), "orders"),
                        source(env, traffic.profiles(), CustomerProfile.class, e -> e.getEventTime(), "profiles"),
                        source(env, traffic.inventory(), InventoryChange.class, e -> e.getEventTime(), "inventory")),
                scenarios, new DecisionPipeline.Tuning(Duration.ofDays(30), START.plus(DAY), LatePolicy.DEFAULT,
                        DecisionPipeline.Tuning.DEFAULT_RESTOCK_BUCKETS, rfm));
        if (rfm != null) {
            outputs.rfm().sinkTo(new DiscardingSink<io.lifecyclemail.schema.RfmRecord>()).name("rfm").uid("rfm");
            outputs.rfmSummary().sinkTo(new DiscardingSink<io.lifecyclemail.schema.RfmSummary>())
                    .name("rfm-summary-out").uid("rfm-summary-out");
        }
        outputs.sendCommands().sinkTo(new DiscardingSink<SendCommand>()).name("commands").uid("commands");
        outputs.decisions().sinkTo(new DiscardingSink<Decision>()).name("decisions").uid("decisions");
        long start = System.nanoTime();
        env.execute("decision benchmark");
        return (System.nanoTime() - start) / 1_000_000;
    }

    static <T extends SpecificRecordBase> DataStream<T> source(StreamExecutionEnvironment env, List<T> events, Class<T> type,
                                                              SerializableFunction<T, Instant> time, String name) {
        return env.fromData(events, new AvroBinaryTypeInfo<>(type)).name(name).uid(name)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<T>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                        .withTimestampAssigner((event, ignored) -> time.apply(event).toEpochMilli()))
                .name(name + "-watermarks").uid(name + "-watermarks");
    }

    /**
     * The keyed state after the day, with the watermark at its end: the customer-keyed stage with
     * every built-in scenario, and the product-keyed restock interest, as their snapshots (serialized, as in a
     * savepoint) measure it.
     */
    static void stateAfterTheDay(SampleShop.Traffic traffic, List<Scenario> scenarios, int customers) throws Exception {
        List<CustomerInput> inputs = new ArrayList<>();
        traffic.profiles().forEach(e -> inputs.add(new CustomerInput(e)));
        traffic.clickstream().forEach(e -> inputs.add(new CustomerInput(e)));
        traffic.orders().forEach(e -> inputs.add(new CustomerInput(e)));
        inputs.sort(CustomerInputs.EVENT_TIME_ORDER);
        var detectors = DecisionPipeline.detectors(scenarios, Duration.ofDays(30));
        long end = START.plus(DAY).toEpochMilli();
        long[] customer = customerState(inputs, detectors, end);
        long[] rfmStage = customerState(inputs, List.of(RFM.rolling()), end);
        long buyers = LAST_RFM_CHANGES.stream().map(change -> change.getCustomerId()).distinct().count();
        long rankBytes = rankState(new ArrayList<>(LAST_RFM_CHANGES), end);
        long customerBytes = customer[0];
        int customerEntries = (int) customer[1];

        RestockInterest restock = new RestockInterest(scenarios.stream().filter(RestockScenario.class::isInstance)
                .map(RestockScenario.class::cast).toList(), DecisionPipeline.Tuning.DEFAULT_RESTOCK_BUCKETS);
        KeyedOneInputStreamOperatorTestHarness<String, ProductSignal, ScenarioTrigger> restockHarness =
                new KeyedOneInputStreamOperatorTestHarness<>(new ArrivalsOperator<>(new RestockInterestFunction(restock)),
                        RestockInterest::key, Types.STRING);
        restockHarness.setStateBackend(new HashMapStateBackend());
        restockHarness.setCheckpointStorage(new JobManagerCheckpointStorage(Integer.MAX_VALUE));
        restockHarness.open();
        List<ProductSignal> signals = new ArrayList<>();
        traffic.clickstream().forEach(e -> signals.addAll(restock.signals(e)));
        traffic.orders().forEach(e -> signals.addAll(restock.signals(e)));
        traffic.inventory().forEach(e -> signals.addAll(restock.signals(e)));
        signals.sort(RestockInterest.ORDER);
        for (ProductSignal signal : signals) {
            restockHarness.processElement(new StreamRecord<>(signal, signal.getEventTime()));
        }
        restockHarness.processWatermark(new Watermark(end));
        OperatorSubtaskState restockState = restockHarness.snapshot(1, 1);
        restockHarness.close();

        long restockBytes = restockState.getStateSize();
        System.out.println();
        System.out.println("| keyed state after the day (all built-in scenarios) | bytes | per customer |");
        System.out.println("|---|---|---|");
        System.out.printf("| customer-scenarios (%,d state entries) | %,d | %.0f |%n", customerEntries, customerBytes,
                (double) customerBytes / customers);
        System.out.printf("| restock-interest (product x bucket) | %,d | %.0f |%n", restockBytes, (double) restockBytes / customers);
        System.out.printf("| total | %,d | %.0f |%n", customerBytes + restockBytes,
                (double) (customerBytes + restockBytes) / customers);
        System.out.printf("| RFM: customer-rfm stage (its own consent, zone and RFM per customer) | %,d | %.0f |%n",
                rfmStage[0], (double) rfmStage[0] / customers);
        System.out.printf("| RFM: customer-rank stage (values and standing per buyer; %,d buyers) | %,d | %.0f per buyer |%n",
                buyers, rankBytes, (double) rankBytes / buyers);
    }

    /** Bytes, entries and timers of the customer-keyed state after the inputs, with the watermark at {@code end}. */
    static long[] customerState(List<CustomerInput> inputs, List<io.lifecyclemail.decision.detect.Detector<?>> detectors,
                                long end) throws Exception {
        return customerState(inputs, detectors, end, io.lifecyclemail.decision.detect.LatePolicy.DEFAULT);
    }

    /** The same, with {@code late} as the stage's policy for late events (and its memory of applied ids). */
    static long[] customerState(List<CustomerInput> inputs, List<io.lifecyclemail.decision.detect.Detector<?>> detectors,
                                long end, io.lifecyclemail.decision.detect.LatePolicy late) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(new CustomerScenariosOperator(
                        new CustomerScenariosFunction(detectors, Long.MAX_VALUE, late)),
                        CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(new HashMapStateBackend());
        harness.setCheckpointStorage(new JobManagerCheckpointStorage(Integer.MAX_VALUE));
        harness.open();
        for (CustomerInput input : inputs) {
            if (detectors.stream().anyMatch(d -> d.accepts(input.getEvent())) || input.getEvent() instanceof CustomerProfile) {
                harness.processElement(new StreamRecord<>(input, CustomerInputs.eventTime(input)));
            }
        }
        harness.processWatermark(new Watermark(end));
        harness.prepareSnapshotPreBarrier(1); // inputs waiting in memory go to state, as before every checkpoint
        long bytes = harness.snapshot(1, 1).getStateSize();
        long entries = harness.numKeyedStateEntries();
        long timers = harness.numEventTimeTimers();
        LAST_RFM_CHANGES.clear();
        var changes = harness.getSideOutput(CustomerScenariosFunction.RFM_CHANGES);
        if (changes != null) {
            changes.forEach(record -> LAST_RFM_CHANGES.add(record.getValue()));
        }
        harness.close();
        return new long[] {bytes, entries, timers};
    }

    /** The RFM changes of the last {@link #customerState} run. */
    static final List<io.lifecyclemail.state.RfmChange> LAST_RFM_CHANGES = new ArrayList<>();

    /** Bytes of the rank stage's state after the changes, scored against the population's summary at {@code end}. */
    static long rankState(List<io.lifecyclemail.state.RfmChange> changes, long end) throws Exception {
        io.lifecyclemail.state.PopulationCounts counts = io.lifecyclemail.decision.rfm.RfmPopulation.empty();
        changes.forEach(change -> io.lifecyclemail.decision.rfm.RfmPopulation.apply(counts, change, RFM));
        var function = new io.lifecyclemail.decision.flink.CustomerRankFunction(
                new io.lifecyclemail.decision.rfm.RfmRanking(RFM.ranks(), List.of()), RFM, end);
        try (var harness = org.apache.flink.streaming.util.ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                function, io.lifecyclemail.state.RfmChange::getCustomerId, Types.STRING,
                io.lifecyclemail.decision.flink.CustomerRankFunction.SUMMARIES)) {
            harness.setCheckpointStorage(new JobManagerCheckpointStorage(Integer.MAX_VALUE));
            long summaryTime = RFM.nextSummaryAfter(end - 1);
            harness.processBroadcastElement(io.lifecyclemail.decision.rfm.RfmPopulation.summary(counts, summaryTime, RFM),
                    summaryTime);
            for (var change : changes) {
                harness.processElement(change, change.getTime());
            }
            harness.processWatermark(new Watermark(summaryTime));
            harness.processBroadcastWatermark(new Watermark(summaryTime));
            return harness.snapshot(1, 1).getStateSize();
        }
    }
}
