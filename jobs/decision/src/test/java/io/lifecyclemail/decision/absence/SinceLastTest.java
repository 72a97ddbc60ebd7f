package io.lifecyclemail.decision.absence;

import static io.lifecyclemail.decision.Events.ALICE;
import static io.lifecyclemail.decision.Events.cartAdd;
import static io.lifecyclemail.decision.Events.millis;
import static io.lifecyclemail.decision.Events.pageView;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.Events;
import io.lifecyclemail.decision.scenario.SinceLastScenario;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.state.SinceLastState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinceLastTest {
    static final Duration HALF_YEAR = Duration.ofDays(180);
    static final Duration YEAR = Duration.ofDays(365);

    static SinceLastScenario scenario(String kind, String id, Duration wait) {
        return new SinceLastScenario(kind, id, 1, "", true, wait, "win-back", 2);
    }

    final SinceLast dormancy = new SinceLast(SinceLastScenario.DORMANCY, List.of(
            scenario(SinceLastScenario.DORMANCY, "win-back-6m", HALF_YEAR),
            scenario(SinceLastScenario.DORMANCY, "win-back-12m", YEAR),
            scenario(SinceLastScenario.AT_RISK, "keep-alive", Duration.ofDays(21))));

    static OrderEvent order(Duration at, String... products) {
        List<ItemLine> lines = java.util.Arrays.stream(products).map(p -> new ItemLine(Events.product(p, 1000), 1)).toList();
        return OrderEvent.newBuilder(Events.purchase(ALICE, at)).setLines(lines).build();
    }

    @Test
    void winsBackAfterEachWaitSinceTheLastPurchaseListingWhatWasBought() {
        SinceLastState state = dormancy.apply(null, order(Duration.ZERO, "tea"));
        state = dormancy.apply(state, order(Duration.ofDays(10), "cup", "pot", "whisk"));
        long start = millis(Duration.ofDays(10));
        assertThat(dormancy.nextWakeUp(state)).hasValue(start + HALF_YEAR.toMillis());
        assertThat(dormancy.due(ALICE, state, start + HALF_YEAR.toMillis())).singleElement().satisfies(candidate -> {
            assertThat(candidate.scenario().id()).isEqualTo("win-back-6m");
            assertThat(candidate.items()).extracting(line -> line.getProduct().getProductId()).containsExactly("cup", "pot");
        });
        assertThat(dormancy.due(ALICE, state, start + YEAR.toMillis()))
                .extracting(candidate -> candidate.scenario().id()).containsExactly("win-back-12m");
        assertThat(dormancy.expire(state, start + YEAR.toMillis())).isNull();
    }

    @Test
    void onlyPurchasesCountForDormancyAndEverythingForAtRisk() {
        assertThat(dormancy.accepts(pageView(ALICE, Duration.ZERO))).isFalse();
        assertThat(dormancy.accepts(order(Duration.ZERO))).isTrue();
        SinceLast atRisk = new SinceLast(SinceLastScenario.AT_RISK,
                List.of(scenario(SinceLastScenario.AT_RISK, "keep-alive", Duration.ofDays(21))));
        assertThat(atRisk.accepts(pageView(ALICE, Duration.ZERO))).isTrue();
        SinceLastState state = atRisk.apply(null, pageView(ALICE, Duration.ZERO));
        state = atRisk.apply(state, cartAdd(ALICE, Duration.ofDays(20), "tea", 1));
        assertThat(atRisk.due(ALICE, state, millis(Duration.ofDays(21)))).isEmpty();
        assertThat(atRisk.due(ALICE, state, millis(Duration.ofDays(41)))).singleElement()
                .satisfies(candidate -> assertThat(candidate.items()).isEmpty());
    }

    @Test
    void noLoginShowsWhatWasViewedSinceTheLastLogin() {
        SinceLast noLogin = new SinceLast(SinceLastScenario.NO_LOGIN,
                List.of(scenario(SinceLastScenario.NO_LOGIN, "come-back", Duration.ofDays(30))));
        var view = (java.util.function.BiFunction<Duration, String, io.lifecyclemail.schema.ClickstreamEvent>)
                (at, product) -> Events.click(ALICE, at, io.lifecyclemail.schema.ClickType.PRODUCT_VIEW,
                        Events.product(product, 100), 1);
        assertThat(noLogin.apply(null, view.apply(Duration.ZERO, "tea"))).as("no login yet").isNull();
        SinceLastState state = noLogin.apply(null,
                Events.click(ALICE, Duration.ofHours(1), io.lifecyclemail.schema.ClickType.LOGIN, null, 1));
        state = noLogin.apply(state, view.apply(Duration.ofHours(2), "tea"));
        state = noLogin.apply(state, view.apply(Duration.ofHours(3), "cup"));
        state = noLogin.apply(state, view.apply(Duration.ofHours(4), "tea"));
        assertThat(noLogin.nextWakeUp(state)).as("views do not move the wait").hasValue(millis(Duration.ofHours(1).plusDays(30)));
        assertThat(noLogin.due(ALICE, state, millis(Duration.ofDays(31)))).singleElement().satisfies(candidate ->
                assertThat(candidate.items()).extracting(line -> line.getProduct().getProductId()).containsExactly("tea", "cup"));
    }

    @Test
    void keepsOnlyTheLinesAMailListsAndListsWhatAFullMemoryWould() {
        SinceLastState bought = dormancy.apply(null, order(Duration.ZERO, "tea", "cup", "pot", "whisk"));
        assertThat(bought.getLines()).extracting(line -> line.getProduct().getProductId()).containsExactly("tea", "cup");

        SinceLast noLogin = new SinceLast(SinceLastScenario.NO_LOGIN,
                List.of(scenario(SinceLastScenario.NO_LOGIN, "come-back", Duration.ofDays(30))));
        SinceLastState state = noLogin.apply(null,
                Events.click(ALICE, Duration.ZERO, io.lifecyclemail.schema.ClickType.LOGIN, null, 1));
        // 200 views of 12 products; a full memory lists the most recently viewed, each once
        java.util.Random random = new java.util.Random(7);
        java.util.List<String> mostRecentFirst = new java.util.ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            String product = "p" + random.nextInt(12);
            state = noLogin.apply(state, Events.click(ALICE, Duration.ofMinutes(i), io.lifecyclemail.schema.ClickType.PRODUCT_VIEW,
                    Events.product(product, 100), 1));
            mostRecentFirst.remove(product);
            mostRecentFirst.add(0, product);
            assertThat(state.getLines()).as("at most maxItems kept").hasSizeLessThanOrEqualTo(2);
        }
        assertThat(noLogin.due(ALICE, state, millis(Duration.ofDays(31)))).singleElement().satisfies(candidate ->
                assertThat(candidate.items()).extracting(line -> line.getProduct().getProductId())
                        .containsExactlyElementsOf(mostRecentFirst.subList(0, 2)));
    }

    @Test
    void aLateOlderEventDoesNotMoveTheAnchorBack() {
        SinceLastState state = dormancy.apply(null, order(Duration.ofDays(10), "tea"));
        assertThat(dormancy.apply(state, order(Duration.ofDays(2), "cup"))).isSameAs(state);
    }

    @Test
    void daysAreCalendarDaysInTheCustomersZoneAcrossDst() {
        java.time.ZoneId newYork = java.time.ZoneId.of("America/New_York");
        SinceLast thirtyDays = new SinceLast(SinceLastScenario.DORMANCY, List.of(new SinceLastScenario(
                SinceLastScenario.DORMANCY, "win-back-30d", 1, "", true, Duration.ofDays(30), "win-back", 2,
                java.time.ZoneId.of("Asia/Tokyo"), io.lifecyclemail.decision.scenario.ScenarioPolicy.defaultFor("Dormancy"))));
        // 20:00 in New York on 1 March (EST, UTC-5); 30 days later it is 20:00 EDT (UTC-4), one hour before 30 x 24h
        OrderEvent purchase = OrderEvent.newBuilder(order(Duration.ZERO, "tea"))
                .setEventTime(java.time.Instant.parse("2026-03-02T01:00:00Z")).build();
        long inNewYork = java.time.Instant.parse("2026-04-01T00:00:00Z").toEpochMilli();
        long inTokyo = java.time.Instant.parse("2026-04-01T01:00:00Z").toEpochMilli(); // Tokyo has no DST

        SinceLastState customerInNewYork = thirtyDays.apply(null, purchase, newYork);
        assertThat(thirtyDays.nextWakeUp(customerInNewYork)).hasValue(inNewYork);
        assertThat(thirtyDays.due(ALICE, customerInNewYork, inNewYork)).singleElement()
                .satisfies(candidate -> assertThat(candidate.triggerTime()).isEqualTo(inNewYork));
        assertThat(thirtyDays.expire(customerInNewYork, inNewYork)).isNull();

        SinceLastState noZoneInProfile = thirtyDays.apply(null, purchase, null); // the scenario's default zone
        assertThat(thirtyDays.nextWakeUp(noZoneInProfile)).hasValue(inTokyo);
        assertThat(thirtyDays.due(ALICE, noZoneInProfile, inNewYork)).isEmpty();
    }
}
