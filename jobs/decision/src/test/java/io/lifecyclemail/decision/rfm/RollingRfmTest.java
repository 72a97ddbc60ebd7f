package io.lifecyclemail.decision.rfm;

import static io.lifecyclemail.decision.Events.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifecyclemail.decision.Events;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.state.RfmState;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollingRfmTest {
    final RollingRfm rfm = new RollingRfm(new CurrencyTable("JPY", Map.of("USD", new BigDecimal("150"))),
            Duration.ofDays(400).toMillis());

    static OrderEvent placed(String orderId, Duration at, long total, String currency) {
        return OrderEvent.newBuilder(Events.order(ALICE, at, OrderEventType.PLACED)).setOrderId(orderId)
                .setTotalMinor(total).setCurrency(currency).build();
    }

    static OrderEvent of(String orderId, Duration at, OrderEventType type) {
        return OrderEvent.newBuilder(Events.order(ALICE, at, type)).setOrderId(orderId).build();
    }

    @Test
    void countsOrdersAmountsAndTimesInTheBaseCurrency() {
        RfmState state = rfm.apply(null, placed("o1", Duration.ofDays(1), 5000, "JPY"));
        state = rfm.apply(state, placed("o2", Duration.ofDays(3), 2050, "USD")); // $20.50 = 3,075 yen
        state = rfm.apply(state, placed("o1", Duration.ofDays(1), 5000, "JPY")); // the same order again
        assertThat(state.getOrders()).isEqualTo(2);
        assertThat(state.getTotalMinor()).isEqualTo(8075);
        assertThat(state.getFirstOrderTime()).isEqualTo(Events.millis(Duration.ofDays(1)));
        assertThat(state.getLastPurchaseTime()).isEqualTo(Events.millis(Duration.ofDays(3)));
        assertThat(state.getZone()).as("no profile zone: UTC").isEqualTo("UTC");
    }

    @Test
    void aCancellationOrReturnSubtractsOnceAndMovesTheLastPurchaseBack() {
        RfmState state = rfm.apply(null, placed("o1", Duration.ofDays(1), 5000, null));
        state = rfm.apply(state, placed("o2", Duration.ofDays(3), 3000, null));
        state = rfm.apply(state, of("o2", Duration.ofDays(4), OrderEventType.RETURNED));
        state = rfm.apply(state, of("o2", Duration.ofDays(5), OrderEventType.CANCELLED)); // already subtracted
        state = rfm.apply(state, of("o9", Duration.ofDays(5), OrderEventType.CANCELLED)); // never seen
        assertThat(state.getOrders()).isEqualTo(1);
        assertThat(state.getTotalMinor()).isEqualTo(5000);
        assertThat(state.getLastPurchaseTime()).isEqualTo(Events.millis(Duration.ofDays(1)));
    }

    @Test
    void anOrderWithoutTotalCountsItsLinesAndOneInACurrencyWithoutRateIsNotCounted() {
        OrderEvent lines = OrderEvent.newBuilder(Events.order(ALICE, Duration.ZERO, OrderEventType.PLACED)).setOrderId("o1")
                .setLines(List.of(new ItemLine(Events.product("tea", 1280), 2), new ItemLine(Events.product("cup", 3300), 1)))
                .build();
        assertThat(rfm.apply(null, lines).getTotalMinor()).isEqualTo(5860);
        RfmState before = rfm.apply(null, placed("o1", Duration.ZERO, 100, "JPY"));
        assertThat(rfm.apply(before, placed("o2", Duration.ZERO, 100, "EUR"))).as("no rate: not counted").isSameAs(before);
    }

    @Test
    void recencyCountsCalendarDaysInTheZoneOfTheLastChange() {
        OrderEvent order = OrderEvent.newBuilder(placed("o1", Duration.ZERO, 1000, null))
                .setEventTime(Instant.parse("2026-11-01T16:00:00Z")).build(); // 2 Nov 01:00 in Tokyo
        long asOf = Instant.parse("2026-11-02T14:00:00Z").toEpochMilli(); // 2 Nov 23:00 in Tokyo, 2 Nov 14:00 in London
        RfmState tokyo = rfm.apply(null, order, ZoneId.of("Asia/Tokyo"));
        RfmState london = rfm.apply(null, order, ZoneId.of("Europe/London"));
        assertThat(tokyo.getZone()).isEqualTo("Asia/Tokyo");
        assertThat(RfmScoring.recencyDays(rfm.change("alice", null, tokyo, 0).getAfter(), asOf)).isZero();
        assertThat(RfmScoring.recencyDays(rfm.change("alice", null, london, 0).getAfter(), asOf)).isEqualTo(1);
        RfmState two = rfm.apply(tokyo, placed("o2", Duration.ofDays(3), 2050, null), ZoneId.of("Asia/Tokyo"));
        assertThat(RfmScoring.record("alice", rfm.change("alice", tokyo, two, 0).getAfter(), asOf, "JPY", null, null)
                .getAverageOrderMinor()).as("3,050 over two orders, rounded down").isEqualTo(1525);
    }

    @Test
    void aSeedReplacesWhatOrdersBeforeItBuiltAndThoseOrdersDoNotCountAgain() {
        RfmState history = rfm.apply(null, placed("o1", Duration.ZERO, 1000, null));
        history = rfm.apply(history, placed("o0", Duration.ofDays(-100), 4000, null));
        long asOf = Events.millis(Duration.ofDays(1));
        io.lifecyclemail.state.RfmSeed seed = new io.lifecyclemail.state.RfmSeed(ALICE, asOf, history);
        // the live job saw only the last order before the seed's time (a topic with 30 days' retention)
        RfmState partial = rfm.apply(null, placed("o1", Duration.ZERO, 1000, null));
        RfmState started = rfm.apply(partial, seed, ZoneId.of("UTC"));
        assertThat(started.getOrders()).isEqualTo(2);
        assertThat(started.getTotalMinor()).isEqualTo(5000);
        assertThat(rfm.apply(started, placed("o0b", Duration.ofDays(-3), 700, null)))
                .as("an order before the seed's time arriving later is in the seed").isSameAs(started);
        assertThat(rfm.apply(started, placed("o2", Duration.ofDays(2), 700, null)).getOrders()).isEqualTo(3);
        // a cancellation of a seeded order still subtracts: the seed carries the order memory
        RfmState cancelled = rfm.apply(started, of("o1", Duration.ofDays(2), OrderEventType.CANCELLED));
        assertThat(cancelled.getOrders()).isEqualTo(1);
    }

    @Test
    void aChangeSaysWhetherANewOrderWasCountedAndCarriesTheStateOnlyWhenAsked() {
        RfmState one = rfm.apply(null, placed("o1", Duration.ZERO, 1000, null));
        RfmState two = rfm.apply(one, placed("o2", Duration.ofDays(1), 500, null));
        RfmState back = rfm.apply(two, of("o2", Duration.ofDays(2), OrderEventType.RETURNED));
        assertThat(rfm.change(ALICE, null, one, 0).getPlaced()).isTrue();
        assertThat(rfm.change(ALICE, one, two, 0).getPlaced()).isTrue();
        assertThat(rfm.change(ALICE, two, back, 0).getPlaced()).isFalse();
        assertThat(rfm.change(ALICE, two, back, 0).getBefore().getTotalMinor()).isEqualTo(1500);
        assertThat(rfm.change(ALICE, one, two, 0).getState()).isNull();
        assertThat(rfm.carryingState().change(ALICE, one, two, 0).getState()).isEqualTo(two);
    }

    @Test
    void ordersAreForgottenAfterTheOrderMemoryAndAnEmptyCustomerEntirely() {
        RfmState state = rfm.apply(null, placed("o1", Duration.ZERO, 1000, null));
        state = rfm.apply(state, of("o1", Duration.ofDays(1), OrderEventType.CANCELLED));
        assertThat(rfm.expire(state, Events.millis(Duration.ofDays(399)))).isSameAs(state);
        assertThat(rfm.expire(state, Events.millis(Duration.ofDays(400)))).isNull();

        RfmState kept = rfm.apply(null, placed("o2", Duration.ZERO, 1000, null));
        RfmState later = rfm.expire(kept, Events.millis(Duration.ofDays(500)));
        assertThat(later.getOrders()).isEqualTo(1);
        assertThat(later.getRecentOrders()).isEmpty();
    }

    @Test
    void currencyRatesParseFromAnOption() {
        CurrencyTable table = CurrencyTable.parse("JPY", "USD=150, EUR=162.5");
        assertThat(table.toBaseMinor(1000, "EUR")).isEqualTo(1625); // EUR 10.00
        assertThatThrownBy(() -> CurrencyTable.parse("JPY", "USD:150")).hasMessageContaining("is not CODE=rate");
    }
}
