package io.lifecyclemail.quickstart;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.DecisionPipeline;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.state.CustomerInput;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * W1, cart abandonment alone, three ways over the same generated input in one run: the decision
 * job's pipeline ({@link DecisionPipeline} with one CartAbandonment scenario), the same rule as a
 * Flink CEP pattern, and a plain single-threaded Java loop (the ceiling). All three must emit exactly
 * the same triggers (customer, deadline); each run reports steady events/s (between 10 % and 90 % of
 * the input read, so start-up is excluded), wall time and peak heap.
 *
 * <pre>mvn -q -Pbenchmark -DskipTests install -Dbenchmark.main=CartBenchmark -Dbenchmark.args="[events|full] [customers] [rounds] [ways]"</pre>
 * ({@code ways}: a comma list of job-hashmap, job-rocksdb, cep-hashmap, cep-rocksdb; default all.)
 */
public final class CartBenchmark {
    static final Duration WAIT = Duration.ofMinutes(10);
    static final String SCENARIO = """
            apiVersion: lifecyclemail.io/v1
            kind: CartAbandonment
            metadata:
              id: cart-w1
            spec:
              wait: 10m
              template: cart-abandonment
              reentry: always
            """;

    /** What one way of running W1 produced and how fast. */
    public record Result(String name, long events, double steadyEventsPerSecond, double wallSeconds, long triggers,
                         long checksum, long peakHeapBytes, List<Tuple2<String, Long>> kept) {
        boolean sameTriggers(Result other) {
            return triggers == other.triggers && checksum == other.checksum;
        }
    }

    /** Triggers counted and summed in place (the mini cluster runs in this JVM), or kept for a test to compare. */
    static final class Triggers {
        static final LongAdder COUNT = new LongAdder();
        static final AtomicLong CHECKSUM = new AtomicLong();
        static final List<Tuple2<String, Long>> KEPT = java.util.Collections.synchronizedList(new ArrayList<>());
        static volatile boolean keep;

        static void reset(boolean keepAll) {
            COUNT.reset();
            CHECKSUM.set(0);
            KEPT.clear();
            keep = keepAll;
        }

        static void add(String customer, long time) {
            COUNT.increment();
            // order-independent: a sum of well-mixed values
            CHECKSUM.addAndGet(ShopStream.mix(customer.hashCode() * 0x9E3779B97F4A7C15L + time));
            if (keep) {
                KEPT.add(Tuple2.of(customer, time));
            }
        }
    }

    /**
     * When the source's watermark passed each event time, per split, so that a trigger's latency can
     * be measured from the moment the (combined) watermark passed its deadline to its send command.
     */
    static final class WatermarkClock {
        static final List<java.util.concurrent.ConcurrentSkipListMap<Long, Long>> SPLITS =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        static final List<Long> LATENCIES_NANOS = java.util.Collections.synchronizedList(new ArrayList<>());
        static final LongAdder UNMEASURED = new LongAdder();

        static void reset() {
            SPLITS.clear();
            LATENCIES_NANOS.clear();
            UNMEASURED.reset();
        }

        /** Records the latency of a trigger due at {@code deadline}, emitted now. */
        static void latency(long deadline) {
            long now = System.nanoTime();
            long passed = Long.MIN_VALUE;
            for (var split : SPLITS) {
                if (split.isEmpty()) {
                    continue; // the source's reader-wide generator: the splits' own ones carry the watermarks
                }
                Map.Entry<Long, Long> first = split.ceilingEntry(deadline);
                if (first == null) { // decided at the end of the input, when the watermark jumps to the end of time
                    UNMEASURED.increment();
                    return;
                }
                passed = Math.max(passed, first.getValue());
            }
            if (passed != Long.MIN_VALUE) {
                LATENCIES_NANOS.add(now - passed);
            }
        }

        /** Monotonous timestamps, as forMonotonousTimestamps, noting when each watermark was emitted. */
        static final class Recording implements org.apache.flink.api.common.eventtime.WatermarkGenerator<CustomerInput> {
            private final java.util.concurrent.ConcurrentSkipListMap<Long, Long> emitted =
                    new java.util.concurrent.ConcurrentSkipListMap<>();
            private long maxTimestamp = Long.MIN_VALUE + 1;
            private long last = Long.MIN_VALUE;

            Recording() {
                SPLITS.add(emitted);
            }

            @Override
            public void onEvent(CustomerInput event, long timestamp,
                                org.apache.flink.api.common.eventtime.WatermarkOutput output) {
                maxTimestamp = Math.max(maxTimestamp, timestamp);
            }

            @Override
            public void onPeriodicEmit(org.apache.flink.api.common.eventtime.WatermarkOutput output) {
                long watermark = maxTimestamp - 1;
                if (watermark > last) {
                    emitted.put(watermark, System.nanoTime()); // before emitting: a trigger may follow at once
                    last = watermark;
                }
                output.emitWatermark(new org.apache.flink.api.common.eventtime.Watermark(watermark));
            }
        }

        /** p50, p99, p99.9 in ms, and how many were measured. */
        static String percentiles() {
            List<Long> sorted;
            synchronized (LATENCIES_NANOS) {
                sorted = new ArrayList<>(LATENCIES_NANOS);
            }
            if (sorted.isEmpty()) {
                return "no trigger measured: the input spans less event time than the wait";
            }
            sorted.sort(null);
            return String.format("p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms (%,d triggers; %,d decided at the end)",
                    at(sorted, 0.5), at(sorted, 0.99), at(sorted, 0.999), sorted.size(), UNMEASURED.sum());
        }

        private static double at(List<Long> sorted, double quantile) {
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1)) / 1e6;
        }
    }

    /** Input read so far, and when 10 % and 90 % were passed. */
    static final class Progress {
        static final LongAdder READ = new LongAdder();
    }

    public static void main(String[] args) throws Exception {
        // no arguments: a size that runs in about a minute; "full": 10^7 events, 10^6 customers
        boolean full = args.length > 0 && args[0].equals("full");
        long events = full ? 10_000_000 : args.length > 0 ? Long.parseLong(args[0]) : 200_000;
        int customers = args.length > 1 ? Integer.parseInt(args[1]) : (int) Math.max(1, events / 10);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        // e.g. "loop,job-hashmap" to run (or profile) only some ways; the loop always runs: it is the reference
        List<String> ways = List.of((args.length > 3 ? args[3] : "job-hashmap,job-rocksdb,cep-hashmap,cep-rocksdb").split(","));
        ShopStream stream = new ShopStream(events, customers, 7, ShopStream.Mix.NO_REMOVALS);
        System.out.printf("W1 cart abandonment: %,d events, %,d customers, parallelism 2; Java %s, %d cores%n",
                stream.events(), customers, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        List<Result> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            results.add(print(round, loop(stream, false)));
            for (String way : ways) {
                String backend = way.substring(way.indexOf('-') + 1);
                results.add(print(round, way.startsWith("job") ? job(stream, backend, 2, false)
                        : cep(stream, backend, 2, false)));
            }
        }
        List<String> latencies = new ArrayList<>();
        for (Result result : List.copyOf(results)) {
            if (result.name().startsWith("decision job") && result.steadyEventsPerSecond() > 0) {
                String backend = result.name().substring(result.name().indexOf("| ") + 2);
                double rate = result.steadyEventsPerSecond() / 2;
                Result paced = job(stream, backend, 2, false, rate);
                results.add(paced);
                latencies.add(String.format("| decision job | %s | %,.0f (50 %% of %,.0f) | %s |", backend, rate,
                        result.steadyEventsPerSecond(), WatermarkClock.percentiles()));
            }
        }
        Result reference = results.get(0);
        boolean agree = results.stream().allMatch(result -> result.sameTriggers(reference));
        System.out.println();
        System.out.println("| way | state | steady events/s | wall time | triggers | peak heap | vs plain loop |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Result result : results) {
            System.out.printf("| %s | %,.0f | %.1f s | %,d | %,d MB | %.2f |%n", result.name(),
                    result.steadyEventsPerSecond(), result.wallSeconds(), result.triggers(),
                    result.peakHeapBytes() >> 20, result.steadyEventsPerSecond() / reference.steadyEventsPerSecond());
        }
        System.out.println();
        System.out.println("| trigger latency | state | input events/s | watermark passed the deadline -> send command |");
        System.out.println("|---|---|---|---|");
        latencies.forEach(System.out::println);
        System.out.println(agree ? "all ways emitted the same triggers" : "TRIGGERS DISAGREE");
        if (!agree) {
            System.exit(1);
        }
    }

    private static Result print(int round, Result result) {
        System.out.printf("round %d: %s: %,.0f events/s steady, %.1f s, %,d triggers%n", round, result.name(),
                result.steadyEventsPerSecond(), result.wallSeconds(), result.triggers());
        return result;
    }

    /** The ceiling: one thread, a map of open carts and a queue of deadlines (they come in time order). */
    static Result loop(ShopStream stream, boolean keep) {
        Triggers.reset(keep);
        resetPeaks();
        long waitMillis = WAIT.toMillis();
        Map<String, Long> lastAdd = new HashMap<>();
        ArrayDeque<Object[]> deadlines = new ArrayDeque<>(); // {customer, add time}
        long n = stream.events();
        long start = System.nanoTime();
        long at10 = 0;
        long at90 = 0;
        for (long position = 0; position < n; position++) {
            if (position == n / 10) {
                at10 = System.nanoTime();
            } else if (position == n * 9 / 10) {
                at90 = System.nanoTime();
            }
            CustomerInput input = stream.at(position);
            long time = CustomerInputs.eventTime(input);
            while (!deadlines.isEmpty() && (long) deadlines.peekFirst()[1] + waitMillis < time) {
                fire(deadlines.pollFirst(), lastAdd, waitMillis);
            }
            Object event = input.getEvent();
            if (event instanceof ClickstreamEvent click && click.getType() == ClickType.CART_ADD) {
                lastAdd.put(click.getCustomerId(), time);
                deadlines.addLast(new Object[] {click.getCustomerId(), time});
            } else if (event instanceof OrderEvent order && order.getType() == OrderEventType.PLACED) {
                lastAdd.remove(order.getCustomerId());
            }
        }
        while (!deadlines.isEmpty()) {
            fire(deadlines.pollFirst(), lastAdd, waitMillis);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        return new Result("plain Java loop | heap (HashMap)", n, 0.8 * n / ((at90 - at10) / 1e9), wall,
                Triggers.COUNT.sum(), Triggers.CHECKSUM.get(), peakHeap(), List.copyOf(Triggers.KEPT));
    }

    private static void fire(Object[] deadline, Map<String, Long> lastAdd, long waitMillis) {
        String customer = (String) deadline[0];
        long added = (long) deadline[1];
        Long last = lastAdd.get(customer);
        if (last != null && last == added) { // the cart's last change, and not bought since
            Triggers.add(customer, added + waitMillis);
        }
    }

    /** The decision job's pipeline with only the W1 scenario. */
    static Result job(ShopStream stream, String backend, int parallelism, boolean keep) throws Exception {
        return job(stream, backend, parallelism, keep, 0);
    }

    /** @param eventsPerSecond the input rate (0: as fast as it goes); triggers' latencies are recorded */
    static Result job(ShopStream stream, String backend, int parallelism, boolean keep, double eventsPerSecond)
            throws Exception {
        StreamExecutionEnvironment env = environment(backend, parallelism);
        DataStream<CustomerInput> input = source(env, stream, parallelism, eventsPerSecond);
        List<Scenario> scenarios = List.of(ScenarioLoader.parse("w1.yaml", SCENARIO));
        DecisionPipeline.Outputs outputs = DecisionPipeline.build(inputs(input),
                // -Dw1.no-late-ids=true: allowed lateness 0, no event ids remembered (what remembering costs)
                scenarios, new DecisionPipeline.Tuning(Duration.ofDays(30), null, Boolean.getBoolean("w1.no-late-ids")
                        ? new LatePolicy(Duration.ZERO, LatePolicy.Beyond.DROP) : LatePolicy.DEFAULT));
        outputs.sendCommands().map(command -> {
            Triggers.add(command.getCustomerId(), command.getTriggerTime().toEpochMilli());
            WatermarkClock.latency(command.getTriggerTime().toEpochMilli());
            return 0;
        }).name("count-triggers").uid("count-triggers").sinkTo(new DiscardingSink<>()).name("discard").uid("discard");
        outputs.decisions().sinkTo(new DiscardingSink<>()).name("decisions").uid("decisions");
        return execute(env, "decision job (cart abandonment) | " + backend + (eventsPerSecond > 0 ? ", paced" : ""),
                stream.events(), keep);
    }

    /** The same rule as a CEP pattern: an add not followed by another add or an order within the wait. */
    static Result cep(ShopStream stream, String backend, int parallelism, boolean keep) throws Exception {
        StreamExecutionEnvironment env = environment(backend, parallelism);
        DataStream<CustomerInput> cartEvents = source(env, stream, parallelism, 0)
                .filter(in -> isAdd(in) || isOrder(in)).name("cart-events").uid("cart-events");
        Pattern<CustomerInput, CustomerInput> abandoned = Pattern.<CustomerInput>begin("add")
                .where(SimpleCondition.of(in -> isAdd(in)))
                .notFollowedBy("changed").where(SimpleCondition.of(in -> isAdd(in) || isOrder(in)))
                .within(WAIT);
        long waitMillis = WAIT.toMillis();
        CEP.pattern(cartEvents.keyBy(in -> CustomerInputs.customerId(in)), abandoned).inEventTime()
                .process(new PatternProcessFunction<CustomerInput, Integer>() {
                    @Override
                    public void processMatch(Map<String, List<CustomerInput>> match, Context context,
                                             Collector<Integer> out) {
                        CustomerInput add = match.get("add").get(0);
                        Triggers.add(CustomerInputs.customerId(add), CustomerInputs.eventTime(add) + waitMillis);
                    }
                }).returns(Types.INT).name("cep-cart").uid("cep-cart")
                .sinkTo(new DiscardingSink<>()).name("discard").uid("discard");
        return execute(env, "Flink CEP pattern | " + backend, stream.events(), keep);
    }

    /** The generated stream as the decision pipeline's inputs: clickstream, orders and profiles. */
    static DecisionPipeline.Inputs inputs(DataStream<CustomerInput> input) {
        return new DecisionPipeline.Inputs(
                input.filter(in -> in.getEvent() instanceof ClickstreamEvent).name("clicks").uid("clicks")
                        .map(in -> (ClickstreamEvent) in.getEvent(), new AvroBinaryTypeInfo<>(ClickstreamEvent.class))
                        .name("as-clicks").uid("as-clicks"),
                input.filter(in -> in.getEvent() instanceof OrderEvent).name("orders").uid("orders")
                        .map(in -> (OrderEvent) in.getEvent(), new AvroBinaryTypeInfo<>(OrderEvent.class))
                        .name("as-orders").uid("as-orders"),
                input.filter(in -> in.getEvent() instanceof CustomerProfile).name("profiles").uid("profiles")
                        .map(in -> (CustomerProfile) in.getEvent(), new AvroBinaryTypeInfo<>(CustomerProfile.class))
                        .name("as-profiles").uid("as-profiles"));
    }

    static boolean isAdd(CustomerInput input) {
        return input.getEvent() instanceof ClickstreamEvent click && click.getType() == ClickType.CART_ADD;
    }

    static boolean isOrder(CustomerInput input) {
        return input.getEvent() instanceof OrderEvent order && order.getType() == OrderEventType.PLACED;
    }

    static StreamExecutionEnvironment environment(String backend, int parallelism) {
        Configuration config = new Configuration();
        config.setString("state.backend.type", backend);
        config.setString("state.backend.rocksdb.localdir", "/tmp/lcm-bench-rocksdb");
        config.setString("state.backend.rocksdb.use-bloom-filter", "true"); // as deploy/flink/config.yaml
        // RocksDB's memory as a TaskManager of deploy/local has it (3 GB process: about 1 GB managed); a
        // local environment has 128 MB, for every RocksDB instance of the job, which starved them
        config.setString("taskmanager.memory.managed.size", "1g");
        config.setString("pipeline.auto-generate-uids", "false");
        // as the jobs set it (DecisionJob.wire); -Dw1.object-reuse=false (in benchmark.jvm) shows what it saves
        config.setString("pipeline.object-reuse", System.getProperty("w1.object-reuse", "true"));
        // any Flink option, to compare settings: -Dflink.<key>=<value> in benchmark.jvm
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("flink."))
                .forEach(name -> config.setString(name.substring("flink.".length()), System.getProperty(name)));
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, config);
    }

    /**
     * The generated stream, counted as it is read, with watermarks that follow it (each split is in
     * order), at most {@code eventsPerSecond} (0: as fast as it goes).
     */
    static DataStream<CustomerInput> source(StreamExecutionEnvironment env, ShopStream stream, int parallelism,
                                            double eventsPerSecond) {
        return env.fromSource(new DataGeneratorSource<>(stream.generator(parallelism), stream.events(),
                                eventsPerSecond > 0 ? RateLimiterStrategy.perSecond(eventsPerSecond)
                                        : RateLimiterStrategy.noOp(), new AvroBinaryTypeInfo<>(CustomerInput.class)),
                        WatermarkStrategy.<CustomerInput>forGenerator(context -> new WatermarkClock.Recording())
                                .withTimestampAssigner((in, previous) -> CustomerInputs.eventTime(in)), "shop")
                .uid("shop")
                .map(in -> {
                    Progress.READ.increment();
                    return in;
                }, new AvroBinaryTypeInfo<>(CustomerInput.class)).name("count-input").uid("count-input");
    }

    static Result execute(StreamExecutionEnvironment env, String name, long events, boolean keep)
            throws Exception {
        Triggers.reset(keep);
        Progress.READ.reset();
        WatermarkClock.reset();
        resetPeaks();
        long[] marks = {0, 0};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long read = Progress.READ.sum();
                long now = System.nanoTime();
                if (marks[0] == 0 && read >= events / 10) {
                    marks[0] = now;
                }
                if (marks[1] == 0 && read >= events * 9 / 10) {
                    marks[1] = now;
                    return;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "progress");
        sampler.setDaemon(true);
        sampler.start();
        long start = System.nanoTime();
        env.execute("W1 " + name);
        double wall = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        sampler.join();
        double steady = marks[1] > marks[0] && marks[0] > 0 ? 0.8 * events / ((marks[1] - marks[0]) / 1e9) : Double.NaN;
        return new Result(name, events, steady, wall, Triggers.COUNT.sum(), Triggers.CHECKSUM.get(), peakHeap(),
                List.copyOf(Triggers.KEPT));
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    /** The sum of the heap pools' peaks since the last reset (RocksDB's native memory is not in it). */
    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
