package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.lifecyclemail.common.kafka.AvroCodec;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.decision.DecisionJob;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeadLetter;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.schema.SendCommand;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted day of a few customers, written to a real Kafka broker and decided by the decision job
 * with the shipped scenarios: exactly the expected send commands come out, and nothing else.
 */
class ScriptedDayTest {
    static final Instant DAY = Instant.parse("2026-11-02T00:00:00Z");

    @TempDir
    static java.nio.file.Path work;
    static LocalServices services;

    @BeforeAll
    static void start() throws Exception {
        services = LocalServices.start(work);
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.close();
        }
    }

    static Instant at(int hour, int minute) {
        return DAY.plus(Duration.ofHours(hour).plusMinutes(minute));
    }

    static Product product(String id, String category, long yen) {
        return Product.newBuilder().setProductId(id).setName(id).setCategory(category).setUnitPriceMinor(yen)
                .setCurrency("JPY").build();
    }

    static final Product POT = product("pot-tokoname", "tableware", 7480);
    static final Product TEA = product("tea-sencha", "tea", 1280);
    static final Product NOTEBOOK = product("notebook-washi", "stationery", 1320);

    static CustomerProfile.Builder profile(String customer, boolean consent) {
        return CustomerProfile.newBuilder().setEventId("profile-" + customer).setEventTime(DAY.minus(Duration.ofDays(1)))
                .setCustomerId(customer).setEmail(customer + "@example.com").setName(customer).setLocale("en-US")
                .setTimezone("Asia/Tokyo").setMarketingConsent(consent);
    }

    static ClickstreamEvent click(String id, String customer, Instant time, ClickType type, Product product, String page) {
        return ClickstreamEvent.newBuilder().setEventId(id).setEventTime(time).setCustomerId(customer)
                .setSessionId(customer + "-s").setType(type).setProduct(product).setPageType(page).setQuantity(1).build();
    }

    @Test
    void aScriptedDayYieldsExactlyTheExpectedSendCommands() throws Exception {
        services.topics.produce(LocalTopics.PROFILES, List.of(
                        profile("hanako", true).build(),
                        profile("bob", true).build(),
                        profile("carol", false).build(),
                        profile("dave", true).build(),
                        profile("erin", true).setBirthday(LocalDate.of(1990, 11, 2)).build(), // 09:00 in Tokyo = 00:00Z
                        profile("frank", true).setPointsBalance(500L).setPointsExpiry(Instant.parse("2026-11-08T12:00:00Z")).build(),
                        profile("gina", true).build(),
                        profile("ivan", true).build()),
                CustomerProfile.class, CustomerProfile::getCustomerId, CustomerProfile::getEventTime);
        ClickstreamEvent ivanAdd = click("ivan-1", "ivan", at(5, 0), ClickType.CART_ADD, TEA, "product");
        List<ClickstreamEvent> clicks = new ArrayList<>(List.of(
                // hanako leaves a cart
                click("hanako-1", "hanako", at(1, 0), ClickType.CART_ADD, TEA, "product"),
                // bob buys what he put in the cart
                click("bob-1", "bob", at(2, 0), ClickType.CART_ADD, POT, "product"),
                // carol leaves a cart but never opted in
                click("carol-1", "carol", at(1, 0), ClickType.CART_ADD, TEA, "product"),
                // dave looks at the teapot twice while it is sold out, and buys nothing
                click("dave-1", "dave", at(3, 0), ClickType.PRODUCT_VIEW, POT, "product"),
                click("dave-2", "dave", at(3, 5), ClickType.PRODUCT_VIEW, POT, "product"),
                // gina looks at prices, then three times at one notebook
                click("gina-1", "gina", at(4, 0), ClickType.PAGE_VIEW, null, "pricing"),
                click("gina-2", "gina", at(5, 0), ClickType.PRODUCT_VIEW, NOTEBOOK, "product"),
                click("gina-3", "gina", at(5, 20), ClickType.PRODUCT_VIEW, NOTEBOOK, "product"),
                click("gina-4", "gina", at(5, 40), ClickType.PRODUCT_VIEW, NOTEBOOK, "product"),
                // ivan's add is written twice (a producer retry): one reminder, quantity 1
                ivanAdd, ivanAdd));
        services.topics.produce(LocalTopics.CLICKSTREAM, clicks, ClickstreamEvent.class, ClickstreamEvent::getCustomerId,
                ClickstreamEvent::getEventTime);
        services.topics.produce(LocalTopics.ORDERS, List.of(
                        OrderEvent.newBuilder().setEventId("bob-o1-placed").setEventTime(at(2, 30)).setCustomerId("bob")
                                .setOrderId("bob-o1").setType(OrderEventType.PLACED).setLines(List.of(new ItemLine(POT, 1)))
                                .build(),
                        OrderEvent.newBuilder().setEventId("bob-o1-shipped").setEventTime(at(10, 0)).setCustomerId("bob")
                                .setOrderId("bob-o1").setType(OrderEventType.SHIPPED).setTrackingNumber("JP123").build()),
                OrderEvent.class, OrderEvent::getCustomerId, OrderEvent::getEventTime);
        services.topics.produce(LocalTopics.INVENTORY, List.of(
                        stock("pot-0", DAY.minus(Duration.ofHours(1)), 40),
                        stock("pot-1", at(0, 30), 0),
                        stock("pot-2", at(12, 0), 25)),
                InventoryChange.class, InventoryChange::getProductId, InventoryChange::getEventTime);
        byte[] noise = {0x01, 0x02, 0x03};
        services.topics.produce(LocalTopics.INVENTORY, List.of(new LocalTopics.Raw("pot-tokoname", noise, at(0, 0))));

        // the shipped scenarios, with the (shipped disabled) Sequence example enabled
        java.nio.file.Path scenarios = java.nio.file.Files.createDirectories(work.resolve("scenarios"));
        try (var shipped = java.nio.file.Files.list(java.nio.file.Path.of("../../deploy/scenarios"))) {
            for (java.nio.file.Path file : shipped.toList()) {
                java.nio.file.Files.writeString(scenarios.resolve(file.getFileName().toString()),
                        java.nio.file.Files.readString(file).replace("enabled: false", "enabled: true"));
            }
        }
        Settings decision = Quickstart.Run.decisionSettings(services.kafka.bootstrapServers(), DAY.plus(Duration.ofDays(1)))
                .with(io.lifecyclemail.decision.DecisionOptions.SCENARIOS_DIR, scenarios.toString());
        JobID job = services.flink.submit(DecisionJob.NAME, env -> DecisionJob.wire(env, decision, DecisionJob.loadConfiguration(decision)), null);
        assertThat(services.flink.awaitResult(job).isSuccess()).isTrue();

        List<SendCommand> commands = services.topics.read(LocalTopics.SEND_COMMANDS, SendCommand.class);
        assertThat(commands).extracting(SendCommand::getCustomerId, SendCommand::getScenarioId, SendCommand::getStep,
                        command -> command.getTriggerTime().toString())
                .containsExactlyInAnyOrder(
                        tuple("hanako", "cart-abandonment", "reminder", "2026-11-02T03:00:00Z"),
                        tuple("bob", "post-purchase", "thanks", "2026-11-02T02:30:00Z"),
                        tuple("bob", "post-purchase", "shipped", "2026-11-02T10:00:00Z"),
                        tuple("dave", "browse-abandonment", "reminder", "2026-11-02T04:05:00Z"),
                        tuple("dave", "restock", "back-in-stock", "2026-11-02T12:00:00Z"),
                        tuple("erin", "birthday", "birthday", "2026-11-02T00:00:00Z"),
                        tuple("frank", "points-expiry-7d", "reminder", "2026-11-01T12:00:00Z"),
                        tuple("gina", "browse-abandonment", "reminder", "2026-11-02T06:40:00Z"),
                        tuple("gina", "pricing-then-product", "match", "2026-11-02T07:40:00Z"),
                        tuple("ivan", "cart-abandonment", "reminder", "2026-11-02T07:00:00Z"));
        assertThat(commands).filteredOn(c -> c.getCustomerId().equals("ivan")).singleElement()
                .satisfies(c -> assertThat(c.getItems().get(0).getQuantity()).isEqualTo(1));
        assertThat(commands).filteredOn(c -> c.getScenarioId().equals("restock")).singleElement()
                .satisfies(c -> assertThat(c.getItems()).extracting(l -> l.getProduct().getProductId())
                        .containsExactly("pot-tokoname"));
        assertThat(commands).filteredOn(c -> c.getScenarioId().equals("pricing-then-product")).singleElement()
                .satisfies(c -> assertThat(c.getTriggerEventId()).isEqualTo("gina-4"));

        List<Decision> decisions = services.topics.read(LocalTopics.DECISIONS, Decision.class);
        // the shipped policy's quiet hours (21:00-08:00 in the customer's zone, Tokyo by default) hold back the
        // restock notice of 21:00 and the points reminder of 21:00 the evening before until 08:00 (23:00 UTC)
        assertThat(decisions).filteredOn(d -> d.getOutcome() != DecisionOutcome.SENT)
                .extracting(Decision::getCustomerId, Decision::getScenarioId, Decision::getOutcome,
                        d -> String.valueOf(d.getDeferredUntil()))
                .containsExactlyInAnyOrder(tuple("carol", "cart-abandonment", DecisionOutcome.NO_CONSENT, "null"),
                        tuple("dave", "restock", DecisionOutcome.DEFERRED, "2026-11-02T23:00:00Z"),
                        tuple("frank", "points-expiry-7d", DecisionOutcome.DEFERRED, "2026-11-01T23:00:00Z"));
        assertThat(decisions).filteredOn(d -> d.getOutcome() == DecisionOutcome.SENT && d.getScenarioId().equals("restock"))
                .singleElement().satisfies(d -> assertThat(d.getDecidedAt()).isEqualTo(Instant.parse("2026-11-02T23:00:00Z")));
        assertThat(decisions).filteredOn(d -> d.getStep().equals("shipped")).singleElement()
                .satisfies(d -> assertThat(d.getTransactional()).isTrue());
        assertThat(decisions).hasSize(commands.size() + 3);

        List<DeadLetter> dead = new ArrayList<>();
        for (var record : services.topics.readCommitted(LocalTopics.DEAD_LETTERS)) {
            dead.add(AvroCodec.of(DeadLetter.class).decode(record.value()));
        }
        assertThat(dead).singleElement().satisfies(letter -> assertThat(letter.getSourceTopic()).isEqualTo("inventory"));
    }

    static InventoryChange stock(String id, Instant time, int level) {
        return InventoryChange.newBuilder().setEventId(id).setEventTime(time).setProductId(POT.getProductId())
                .setStockLevel(level).setProduct(POT).build();
    }
}
