package io.lifecyclemail.decision;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.flink.CustomerRankFunction;
import io.lifecyclemail.decision.flink.CustomerScenariosFunction;
import io.lifecyclemail.decision.flink.CustomerScenariosOperator;
import io.lifecyclemail.decision.flink.PopulationMergeFunction;
import io.lifecyclemail.decision.flink.PopulationShardFunction;
import io.lifecyclemail.decision.rfm.RfmRanking;
import io.lifecyclemail.decision.rfm.RfmSettings;
import io.lifecyclemail.decision.rfm.RollingRfm;
import io.lifecyclemail.decision.scenario.RankChangeScenario;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.PopulationShard;
import io.lifecyclemail.state.RfmChange;
import io.lifecyclemail.state.RfmSeed;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * RFM, scores and ranks as a pure function of streams (ADR 0005): per customer the rolling values
 * ({@code customer-rfm}, the customer stage's own function with the one RFM detector, so events are
 * ordered, de-duplicated and late-handled alike); the buyers' counts in shards merged into a summary
 * per interval ({@code rfm-population-shards}, {@code rfm-population}); every customer scored and
 * ranked against the latest summary ({@code customer-rank}). No stage reads what a later one writes, so there is no cycle: the customer
 * stage receives standings and rank-change triggers as inputs.
 */
public final class RfmPipeline {
    private RfmPipeline() {}

    /**
     * @param records the rfm topic: a customer's record after each change and each re-scoring that moved it
     * @param summaries the rfm-summary topic: one per interval, with rank sizes
     * @param toCustomers standings and rank-change triggers for the customer stage
     */
    public record Outputs(DataStream<RfmRecord> records, DataStream<RfmSummary> summaries,
                          DataStream<CustomerInput> toCustomers) {}

    /**
     * Each customer's RFM changes from orders (profiles give the zone recency is counted in; seeds
     * start customers from a bootstrap). The live job and the bootstrap both build this stage.
     *
     * @param profiles may be null (the bootstrap: every customer in the rolling RFM's default zone, UTC)
     * @param seeds may be null
     */
    public static DataStream<RfmChange> changes(DataStream<OrderEvent> orders, DataStream<CustomerProfile> profiles,
                                                DataStream<RfmSeed> seeds, RollingRfm rolling, long endOfInputCutoff,
                                                LatePolicy late) {
        TypeInformation<CustomerInput> inputType = new AvroBinaryTypeInfo<>(CustomerInput.class);
        DataStream<CustomerInput> inputs = orders
                .filter(order -> rolling.accepts(order)).name("rfm-orders").uid("rfm-orders")
                .map(order -> new CustomerInput(order), inputType).name("rfm-orders-as-input").uid("rfm-orders-as-input");
        if (profiles != null) {
            inputs = inputs.union(profiles.map(profile -> new CustomerInput(profile), inputType)
                    .name("rfm-profiles-as-input").uid("rfm-profiles-as-input"));
        }
        if (seeds != null) {
            inputs = inputs.union(seeds.map(seed -> new CustomerInput(seed), inputType)
                    .name("rfm-seeds-as-input").uid("rfm-seeds-as-input"));
        }
        SingleOutputStreamOperator<Decision> stage = inputs
                .keyBy(CustomerInputs::customerId)
                .transform("customer-rfm", new AvroBinaryTypeInfo<>(Decision.class),
                        new CustomerScenariosOperator(CustomerScenariosFunction.withoutGovernor(List.of(rolling), endOfInputCutoff, late)))
                .name("customer-rfm").uid("customer-rfm");
        // (its decisions are only LATE_EVENT records, which the customer stage writes for the same events)
        return stage.getSideOutput(CustomerScenariosFunction.RFM_CHANGES);
    }

    public static Outputs build(DataStream<OrderEvent> orders, DataStream<CustomerProfile> profiles,
                                DataStream<RfmSeed> seeds, RfmSettings settings, List<RankChangeScenario> rankChanges,
                                long endOfInputCutoff, LatePolicy late) {
        DataStream<RfmChange> changes = changes(orders, profiles, seeds, settings.rolling(), endOfInputCutoff, late);
        int shards = settings.shards();
        DataStream<RfmSummary> population = changes
                .keyBy(change -> shardOf(change.getCustomerId(), shards), Types.INT)
                .process(new PopulationShardFunction(settings, endOfInputCutoff), new AvroBinaryTypeInfo<>(PopulationShard.class))
                .name("rfm-population-shards").uid("rfm-population-shards")
                .keyBy(shard -> "all")
                .process(new PopulationMergeFunction(settings), new AvroBinaryTypeInfo<>(RfmSummary.class))
                .setParallelism(1).name("rfm-population").uid("rfm-population");
        SingleOutputStreamOperator<RfmRecord> ranked = changes
                .keyBy(change -> change.getCustomerId())
                .connect(population.broadcast(CustomerRankFunction.SUMMARIES))
                .process(new CustomerRankFunction(new RfmRanking(settings.ranks(), rankChanges), settings, endOfInputCutoff),
                        new AvroBinaryTypeInfo<>(RfmRecord.class))
                .name("customer-rank").uid("customer-rank");
        TypeInformation<CustomerInput> inputType = new AvroBinaryTypeInfo<>(CustomerInput.class);
        DataStream<CustomerInput> toCustomers = ranked.getSideOutput(CustomerRankFunction.STANDINGS)
                .map(standing -> new CustomerInput(standing), inputType).name("standings-as-input").uid("standings-as-input")
                .union(ranked.getSideOutput(CustomerRankFunction.RANK_TRIGGERS)
                        .map(trigger -> new CustomerInput(trigger), inputType)
                        .name("rank-triggers-as-input").uid("rank-triggers-as-input"));
        return new Outputs(ranked, population, toCustomers);
    }

    /** The population shard of a customer: a mixed hash, so that similar ids spread evenly. */
    static int shardOf(String customerId, int shards) {
        int hash = customerId.hashCode() * 0x9E3779B9;
        return Math.floorMod(hash ^ (hash >>> 16), shards);
    }
}
