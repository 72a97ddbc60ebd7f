package io.lifecyclemail.decision.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifecyclemail.schema.OrderEvent;
import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrderHistoryCsvTest {
    static final OrderHistoryCsv.Rules TOKYO = new OrderHistoryCsv.Rules(ZoneId.of("Asia/Tokyo"), "JPY", false);

    static List<OrderEvent> read(OrderHistoryCsv csv, String text) throws Exception {
        List<OrderEvent> orders = new ArrayList<>();
        csv.read(new BufferedReader(new StringReader(text)), orders::add);
        return orders;
    }

    @Test
    void readsOrdersWithTotalsAndCountsWhatItDrops() throws Exception {
        OrderHistoryCsv csv = new OrderHistoryCsv(OrderHistoryCsv.Columns.DEFAULTS, TOKYO);
        List<OrderEvent> orders = read(csv, """
                \uFEFForder_id,customer_id,order_time,amount,cancelled,currency
                o1,c1,2025-03-01 10:00:00,"1,280",,
                o2,c1,2025-04-01T10:00:00+09:00,12.50,false,USD
                o3,,2025-04-02 10:00:00,500,,
                o4,c2,yesterday,500,,
                o5,c2,2025-04-03 10:00:00,0,,
                o6,c2,2025-04-04 10:00:00,700,true,
                """);
        assertThat(orders).extracting(OrderEvent::getOrderId, OrderEvent::getTotalMinor, OrderEvent::getCurrency)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("o1", 1280L, "JPY"),
                        org.assertj.core.groups.Tuple.tuple("o2", 1250L, "USD"));
        assertThat(orders.get(0).getEventTime()).isEqualTo(Instant.parse("2025-03-01T01:00:00Z")); // 10:00 in Tokyo
        assertThat(csv.rows()).isEqualTo(6);
        assertThat(csv.dropped()).isEqualTo(Map.of("no customer id", 1L, "unreadable time", 1L,
                "missing or non-positive amount, quantity or price", 1L, "cancelled order", 1L));
    }

    @Test
    void sumsQuantityTimesPriceOverTheRowsOfAnOrderWithTheShopsOwnColumnNames() throws Exception {
        OrderHistoryCsv.Columns shop = new OrderHistoryCsv.Columns("注文番号", "会員ID", "注文日時", "合計",
                "数量", "単価", "キャンセル", "通貨");
        OrderHistoryCsv csv = new OrderHistoryCsv(shop, TOKYO);
        List<OrderEvent> orders = read(csv, """
                注文番号,会員ID,注文日時,数量,単価
                A-1,m9,2024-12-24 20:00:00,2,1280
                A-1,m9,2024-12-24 20:00:00,1,3300
                A-2,m9,2025-01-05 09:30:00,-1,980
                """);
        assertThat(orders).singleElement().satisfies(order -> {
            assertThat(order.getOrderId()).isEqualTo("A-1");
            assertThat(order.getTotalMinor()).isEqualTo(5860L);
        });
        assertThat(csv.dropped()).containsEntry("missing or non-positive amount, quantity or price", 1L);
    }

    @Test
    void aHeaderWithoutTheNeededColumnsIsRefusedWithTheColumnsItHas() {
        OrderHistoryCsv csv = new OrderHistoryCsv(OrderHistoryCsv.Columns.DEFAULTS, TOKYO);
        assertThatThrownBy(() -> read(csv, "id,customer_id,order_time,amount\n"))
                .hasMessageContaining("no column 'order_id'").hasMessageContaining("[id, customer_id, order_time, amount]");
    }
}
