package io.lifecyclemail.decision.browse;

import static io.lifecyclemail.decision.Events.ALICE;
import static io.lifecyclemail.decision.Events.cartAdd;
import static io.lifecyclemail.decision.Events.click;
import static io.lifecyclemail.decision.Events.millis;
import static io.lifecyclemail.decision.Events.pageView;
import static io.lifecyclemail.decision.Events.product;
import static io.lifecyclemail.decision.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.scenario.BrowseAbandonmentScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.state.BrowseState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrowseAbandonmentTest {
    static final Duration HOUR = Duration.ofHours(1);
    final BrowseAbandonment rules = new BrowseAbandonment(List.of(
            new BrowseAbandonmentScenario("browse-1h", 1, "", true, HOUR, "browse-abandonment", 2, 2)));

    static ClickstreamEvent view(Duration at, String productId) {
        return click(ALICE, at, ClickType.PRODUCT_VIEW, product(productId, 980), 1);
    }

    BrowseState replay(ClickstreamEvent... events) {
        BrowseState state = null;
        for (ClickstreamEvent event : events) {
            state = rules.apply(state, event);
        }
        return state;
    }

    @Test
    void mailsTheMostViewedProductsAnHourAfterTheLastActivity() {
        BrowseState state = replay(view(Duration.ZERO, "tea"), view(Duration.ofMinutes(1), "cup"),
                view(Duration.ofMinutes(2), "tea"), view(Duration.ofMinutes(3), "pot"),
                pageView(ALICE, Duration.ofMinutes(10)));
        long deadline = millis(Duration.ofMinutes(10).plus(HOUR));
        assertThat(rules.nextWakeUp(state)).hasValue(deadline);
        assertThat(rules.due(ALICE, state, deadline - 1)).isEmpty();
        List<Candidate> due = rules.due(ALICE, state, deadline);
        assertThat(due).singleElement().satisfies(candidate -> {
            // tea viewed twice first, then the most recent of the others; maxItems 2
            assertThat(candidate.items()).extracting(line -> line.getProduct().getProductId()).containsExactly("tea", "pot");
            assertThat(candidate.triggerTime()).isEqualTo(deadline);
        });
        assertThat(rules.expire(state, deadline)).as("the session is over: nothing kept").isNull();
    }

    @Test
    void aCartAdditionOrPurchaseInTheSessionMeansNoMail() {
        BrowseState added = replay(view(Duration.ZERO, "tea"), view(Duration.ofMinutes(1), "cup"),
                cartAdd(ALICE, Duration.ofMinutes(2), "tea", 1));
        assertThat(rules.due(ALICE, added, millis(Duration.ofHours(5)))).isEmpty();
        BrowseState bought = rules.apply(replay(view(Duration.ZERO, "tea"), view(Duration.ofMinutes(1), "cup")),
                purchase(ALICE, Duration.ofMinutes(5)));
        assertThat(rules.due(ALICE, bought, millis(Duration.ofHours(5)))).isEmpty();
    }

    @Test
    void aConvertedSessionKeepsNoProductsButGoesOnUntilItsEnd() {
        BrowseState state = replay(view(Duration.ZERO, "tea"), view(Duration.ofMinutes(1), "cup"),
                cartAdd(ALICE, Duration.ofMinutes(2), "tea", 1), view(Duration.ofMinutes(3), "pot"),
                view(Duration.ofMinutes(4), "pot"), view(Duration.ofMinutes(5), "cup"));
        assertThat(state.getConverted()).isTrue();
        assertThat(state.getViewed()).as("no mail can list them, so none are kept").isEmpty();
        assertThat(state.getLastActivityTime()).as("views after the cart addition keep the session going")
                .isEqualTo(millis(Duration.ofMinutes(5)));
        long sessionEnd = millis(Duration.ofMinutes(5).plus(HOUR));
        assertThat(rules.due(ALICE, state, sessionEnd)).isEmpty();
        assertThat(rules.expire(state, sessionEnd - 1)).as("still the same session").isNotNull();
        assertThat(rules.expire(state, sessionEnd)).isNull();

        // the next session starts afresh and is mailed
        BrowseState next = replay(view(Duration.ofHours(3), "tea"), view(Duration.ofHours(3).plusMinutes(1), "cup"),
                view(Duration.ofHours(3).plusMinutes(2), "tea"));
        assertThat(rules.due(ALICE, next, millis(Duration.ofHours(3).plusMinutes(2).plus(HOUR)))).hasSize(1);
    }

    @Test
    void tooFewProductViewsIsNotBrowsing() {
        BrowseState state = replay(view(Duration.ZERO, "tea"));
        assertThat(rules.due(ALICE, state, millis(Duration.ofHours(5)))).isEmpty();
    }

    @Test
    void pageViewsAloneKeepNoState() {
        assertThat(replay(pageView(ALICE, Duration.ZERO), pageView(ALICE, Duration.ofMinutes(1)))).isNull();
    }

    @Test
    void activityBeforeTheDeadlineMovesIt() {
        BrowseState state = replay(view(Duration.ZERO, "tea"), view(Duration.ofMinutes(50), "cup"));
        assertThat(rules.due(ALICE, state, millis(HOUR))).isEmpty();
        assertThat(rules.nextWakeUp(state)).hasValue(millis(Duration.ofMinutes(50).plus(HOUR)));
    }

    @Test
    void aLongSessionKeepsDetailsOnlyOfTheListedProductsAndListsWhatAFullMemoryWould() {
        // 300 views of 40 products, the price changing as the session goes: each view shows the product as it is then
        java.util.Random random = new java.util.Random(5);
        List<ClickstreamEvent> views = new java.util.ArrayList<>();
        java.util.Map<String, Integer> count = new java.util.HashMap<>();
        java.util.Map<String, ClickstreamEvent> last = new java.util.HashMap<>();
        for (int i = 0; i < 300; i++) {
            String id = "p" + (int) Math.min(39, Math.abs(random.nextGaussian() * 12));
            ClickstreamEvent view = click(ALICE, Duration.ofSeconds(10L * i), ClickType.PRODUCT_VIEW, product(id, 100 + i), 1);
            views.add(view);
            count.merge(id, 1, Integer::sum);
            last.put(id, view);
        }
        BrowseState state = replay(views.toArray(ClickstreamEvent[]::new));

        // what a memory of every view would list: most views, then the latest view, with the details of that view
        List<String> expected = last.values().stream()
                .sorted(java.util.Comparator.<ClickstreamEvent>comparingInt(view -> count.get(view.getProduct().getProductId()))
                        .reversed().thenComparing(ClickstreamEvent::getEventTime, java.util.Comparator.reverseOrder()))
                .limit(2).map(view -> view.getProduct().toString()).toList();
        long deadline = millis(Duration.ofSeconds(10L * 299).plus(HOUR));
        assertThat(rules.due(ALICE, state, deadline)).singleElement().satisfies(candidate ->
                assertThat(candidate.items()).extracting(line -> line.getProduct().toString()).isEqualTo(expected));

        assertThat(state.getViewed()).hasSize(count.size());
        assertThat(state.getViewed()).as("products with details: only the 2 a mail lists (maxItems)")
                .filteredOn(view -> view.getProduct().getName() != null).hasSize(2);
        assertThat(state.getViewed().stream().mapToInt(io.lifecyclemail.state.ViewedProduct::getViews).sum())
                .as("every view counted").isEqualTo(300);
    }
}
