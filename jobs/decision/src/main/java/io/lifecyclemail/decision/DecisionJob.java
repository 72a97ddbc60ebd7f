package io.lifecyclemail.decision;

import io.lifecyclemail.common.flink.Ingest;
import io.lifecyclemail.common.kafka.DecodeOrDeadLetter;
import io.lifecyclemail.common.kafka.InputRules;
import io.lifecyclemail.common.kafka.KafkaIO;
import io.lifecyclemail.common.kafka.Topics;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeadLetter;
import io.lifecyclemail.schema.Conversion;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.decision.rfm.CurrencyTable;
import io.lifecyclemail.decision.rfm.CustomerRanks;
import io.lifecyclemail.decision.rfm.RfmSettings;
import io.lifecyclemail.decision.rfm.RollingRfm;
import io.lifecyclemail.decision.flink.JsonLinesFiles;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.RfmSeed;
import org.apache.flink.streaming.api.datastream.DataStream;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.SendCommand;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The decision job: options, then Kafka sources, then {@link DecisionPipeline#build}, then Kafka
 * sinks. State backend, checkpointing and restarts come from the Flink configuration.
 */
public final class DecisionJob {
    public static final String NAME = "lifecycle-mail decision";
    public static final String JOB = "decision";

    private DecisionJob() {}

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parseOrHelp(NAME, DecisionOptions.all(), args).orElse(null);
        if (settings == null) {
            return;
        }
        ScenarioLoader.Configuration configuration = loadConfiguration(settings);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        wire(env, settings, configuration);
        env.execute(NAME);
    }

    /**
     * Scenarios and the governor policy from the configured folder, or the ones shipped in the jar;
     * invalid files stop the submission.
     */
    public static ScenarioLoader.Configuration loadConfiguration(Settings settings) {
        String folder = settings.get(DecisionOptions.SCENARIOS_DIR);
        return folder.isBlank() ? ScenarioLoader.loadBundledConfiguration()
                : ScenarioLoader.loadConfiguration(Path.of(folder));
    }

    static Instant decideUntil(Settings settings) {
        String text = settings.get(DecisionOptions.DECIDE_UNTIL);
        try {
            return text.isBlank() ? null : Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("option --" + DecisionOptions.DECIDE_UNTIL.key() + ": '" + text
                    + "' is not an ISO-8601 instant such as 2026-11-06T00:00:00Z", e);
        }
    }

    /** The rolling RFM of the options (the bootstrap reads the same ones). */
    public static RollingRfm rollingRfm(Settings settings) {
        try {
            return new RollingRfm(CurrencyTable.parse(settings.get(DecisionOptions.RFM_CURRENCY),
                    settings.get(DecisionOptions.RFM_RATES)), settings.get(DecisionOptions.RFM_ORDER_MEMORY).toMillis());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("options --" + DecisionOptions.RFM_CURRENCY.key() + " / --"
                    + DecisionOptions.RFM_RATES.key() + ": " + e.getMessage(), e);
        }
    }

    /** RFM, scores and ranks as the options say; null when rfm.enabled is false. */
    public static RfmSettings rfm(Settings settings) {
        if (!settings.get(DecisionOptions.RFM_ENABLED)) {
            return null;
        }
        try {
            return new RfmSettings(rollingRfm(settings), settings.get(DecisionOptions.RFM_INTERVAL),
                    settings.get(DecisionOptions.RFM_SKETCH_ERROR),
                    new CustomerRanks(settings.get(DecisionOptions.RFM_SUPER_LOYAL_SHARE), settings.get(DecisionOptions.RFM_TOP_SHARE)),
                    settings.get(DecisionOptions.RFM_CHURN_WINDOW), RfmSettings.DEFAULT_MAX_PURCHASES,
                    settings.get(DecisionOptions.RFM_MIN_CUSTOMERS), RfmSettings.DEFAULT_SHARDS,
                    RfmSettings.DEFAULT_RETURN_WEEKS);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rfm options: " + e.getMessage(), e);
        }
    }

    /** Seeds from a bootstrap's seed file, when rfm.seed names one. */
    static DataStream<RfmSeed> seeds(StreamExecutionEnvironment env, Settings settings) {
        String file = settings.get(DecisionOptions.RFM_SEED);
        if (file.isBlank() || !settings.get(DecisionOptions.RFM_ENABLED)) {
            return null;
        }
        return JsonLinesFiles.read(env, file, RfmSeed.class, RfmSeed::getAsOf, "rfm-seeds");
    }

    /** Adds the whole job to {@code env}. */
    public static void wire(StreamExecutionEnvironment env, Settings settings, ScenarioLoader.Configuration configuration) {
        // Chained operators hand records on without a deep copy: no function of ours changes a record it
        // received or one it has emitted, and records from the network are always new objects. Avro deep
        // copies between chained operators were half of the decision job's time (docs/benchmarks.md, W1).
        env.getConfig().enableObjectReuse();
        String group = settings.get(DecisionOptions.GROUP_ID);
        Ingest.Split<ClickstreamEvent> clicks = Ingest.fromKafka(env,
                KafkaIO.source(settings, settings.get(Topics.CLICKSTREAM), group,
                        new DecodeOrDeadLetter<>(ClickstreamEvent.class, InputRules.CLICKSTREAM, JOB)),
                ClickstreamEvent.class, Ingest.eventTime(settings, ClickstreamEvent::getEventTime), "clickstream");
        Ingest.Split<OrderEvent> orders = Ingest.fromKafka(env,
                KafkaIO.source(settings, settings.get(Topics.ORDERS), group,
                        new DecodeOrDeadLetter<>(OrderEvent.class, InputRules.ORDERS, JOB)),
                OrderEvent.class, Ingest.eventTime(settings, OrderEvent::getEventTime), "orders");
        Ingest.Split<CustomerProfile> profiles = Ingest.fromKafka(env,
                KafkaIO.source(settings, settings.get(Topics.PROFILES), group,
                        new DecodeOrDeadLetter<>(CustomerProfile.class, InputRules.PROFILES, JOB)),
                CustomerProfile.class, Ingest.eventTime(settings, CustomerProfile::getEventTime), "profiles");
        Ingest.Split<InventoryChange> inventory = Ingest.fromKafka(env,
                KafkaIO.source(settings, settings.get(Topics.INVENTORY), group,
                        new DecodeOrDeadLetter<>(InventoryChange.class, InputRules.INVENTORY, JOB)),
                InventoryChange.class, Ingest.eventTime(settings, InventoryChange::getEventTime), "inventory");
        Ingest.Split<EngagementEvent> engagement = Ingest.fromKafka(env,
                KafkaIO.source(settings, settings.get(Topics.ENGAGEMENT), group,
                        new DecodeOrDeadLetter<>(EngagementEvent.class, InputRules.ENGAGEMENT, JOB)),
                EngagementEvent.class, Ingest.eventTime(settings, EngagementEvent::getEventTime), "engagement");
        Ingest.Split<DeliveryResult> deliveryResults = Ingest.fromKafka(env,
                KafkaIO.source(settings, settings.get(Topics.DELIVERY_RESULTS), group,
                        new DecodeOrDeadLetter<>(DeliveryResult.class, InputRules.DELIVERY_RESULTS, JOB)),
                DeliveryResult.class, Ingest.eventTime(settings, DeliveryResult::getResultTime), "delivery-results");

        DecisionPipeline.Outputs outputs = DecisionPipeline.build(
                new DecisionPipeline.Inputs(clicks.events(), orders.events(), profiles.events(), inventory.events(),
                        seeds(env, settings), engagement.events(), deliveryResults.events()),
                configuration, new DecisionPipeline.Tuning(settings.get(DecisionOptions.CART_RETENTION), decideUntil(settings),
                        new LatePolicy(settings.get(DecisionOptions.ALLOWED_LATENESS), settings.get(DecisionOptions.BEYOND_LATENESS)),
                        settings.get(DecisionOptions.RESTOCK_BUCKETS), rfm(settings)));

        String transactions = settings.get(DecisionOptions.TRANSACTIONAL_ID_PREFIX);
        outputs.sendCommands().sinkTo(KafkaIO.exactlyOnceSink(settings, settings.get(Topics.SEND_COMMANDS),
                        SendCommand.class, SendCommand::getCustomerId, transactions))
                .name("send-commands-sink").uid("send-commands-sink");
        outputs.decisions().sinkTo(KafkaIO.exactlyOnceSink(settings, settings.get(Topics.DECISIONS),
                        Decision.class, Decision::getCustomerId, transactions))
                .name("decisions-sink").uid("decisions-sink");
        outputs.conversions().sinkTo(KafkaIO.exactlyOnceSink(settings, settings.get(Topics.CONVERSIONS),
                        Conversion.class, Conversion::getCustomerId, transactions))
                .name("conversions-sink").uid("conversions-sink");
        if (settings.get(DecisionOptions.RFM_ENABLED)) {
            outputs.rfm().sinkTo(KafkaIO.exactlyOnceSink(settings, settings.get(Topics.RFM),
                            RfmRecord.class, RfmRecord::getCustomerId, transactions))
                    .name("rfm-sink").uid("rfm-sink");
            outputs.rfmSummary().sinkTo(KafkaIO.exactlyOnceSink(settings, settings.get(Topics.RFM_SUMMARY),
                            RfmSummary.class, summary -> summary.getAsOf().toString(), transactions))
                    .name("rfm-summary-sink").uid("rfm-summary-sink");
        }
        clicks.deadLetters().union(orders.deadLetters(), profiles.deadLetters(), inventory.deadLetters(),
                        engagement.deadLetters(), deliveryResults.deadLetters())
                .sinkTo(KafkaIO.exactlyOnceSink(settings, settings.get(Topics.DEAD_LETTERS),
                        DeadLetter.class, DeadLetter::getSourceTopic, transactions))
                .name("dead-letters-sink").uid("dead-letters-sink");
    }
}
