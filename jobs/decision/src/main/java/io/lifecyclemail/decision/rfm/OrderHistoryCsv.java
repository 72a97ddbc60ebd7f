package io.lifecyclemail.decision.rfm;

import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a shop's historical orders from CSV for the RFM bootstrap, free of Flink. The header row
 * names the columns; {@link Columns} says which column is which, so a shop's own export can be used
 * as it is. A row becomes a placed order, or is dropped with a counted reason: no customer id, a
 * time that cannot be read, an amount that is missing or not positive, and (by default) a cancelled
 * order. Times without an offset are read in {@code defaultZone}.
 */
public final class OrderHistoryCsv {
    /**
     * Column names in the header. Either {@code amount} (the order total) or {@code quantity} and
     * {@code unitPrice} (summed over the order's rows); {@code cancelled} and {@code currency} are optional.
     * Amounts are in major units as exported (1280, 12.50) and are converted to minor units.
     */
    public record Columns(String orderId, String customerId, String time, String amount, String quantity,
                          String unitPrice, String cancelled, String currency) implements Serializable {
        public static final Columns DEFAULTS = new Columns("order_id", "customer_id", "order_time", "amount",
                "quantity", "unit_price", "cancelled", "currency");
    }

    /** @param keepCancelled false (default): a cancelled order is dropped and counted */
    public record Rules(ZoneId defaultZone, String defaultCurrency, boolean keepCancelled) implements Serializable {}

    private final Columns columns;
    private final Rules rules;
    private final Map<String, Long> dropped = new LinkedHashMap<>();
    private long rows;

    public OrderHistoryCsv(Columns columns, Rules rules) {
        this.columns = columns;
        this.rules = rules;
    }

    /** Rows read (without the header). */
    public long rows() {
        return rows;
    }

    /** Why rows were dropped, with how many each. */
    public Map<String, Long> dropped() {
        return Map.copyOf(dropped);
    }

    /**
     * Reads every row, handing each order to {@code orders} once all its rows are read (rows of one
     * order must be next to each other, as exports list them).
     */
    public void read(BufferedReader csv, Consumer<OrderEvent> orders) throws IOException {
        String header = csv.readLine();
        if (header == null) {
            throw new IllegalArgumentException("the file is empty: expected a header row");
        }
        // a byte-order mark, as spreadsheet exports write, is not part of the first column's name
        List<String> names = split(!header.isEmpty() && header.charAt(0) == '\uFEFF' ? header.substring(1) : header);
        int orderId = required(names, columns.orderId());
        int customer = required(names, columns.customerId());
        int time = required(names, columns.time());
        int amount = names.indexOf(columns.amount());
        int quantity = names.indexOf(columns.quantity());
        int unitPrice = names.indexOf(columns.unitPrice());
        if (amount < 0 && (quantity < 0 || unitPrice < 0)) {
            throw new IllegalArgumentException("the header has neither '" + columns.amount() + "' nor both '"
                    + columns.quantity() + "' and '" + columns.unitPrice() + "'; columns are " + names);
        }
        int cancelled = names.indexOf(columns.cancelled());
        int currency = names.indexOf(columns.currency());
        Pending pending = null;
        String line;
        while ((line = csv.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            rows++;
            List<String> cells = split(line);
            String id = cell(cells, orderId);
            if (pending != null && !pending.orderId.equals(id)) {
                pending.finish(orders);
                pending = null;
            }
            String customerId = cell(cells, customer);
            if (customerId.isEmpty()) {
                drop("no customer id");
                continue;
            }
            Instant at = parseTime(cell(cells, time));
            if (at == null) {
                drop("unreadable time");
                continue;
            }
            if (cancelled >= 0 && isTrue(cell(cells, cancelled)) && !rules.keepCancelled()) {
                drop("cancelled order");
                continue;
            }
            Double major = amount >= 0 ? number(cell(cells, amount))
                    : product(number(cell(cells, quantity)), number(cell(cells, unitPrice)));
            if (major == null || major <= 0) {
                drop("missing or non-positive amount, quantity or price");
                continue;
            }
            String code = currency >= 0 && !cell(cells, currency).isEmpty() ? cell(cells, currency).toUpperCase()
                    : rules.defaultCurrency();
            if (pending == null) {
                pending = new Pending(id.isEmpty() ? customerId + "@" + at : id, customerId, at, code);
            }
            pending.minor += Math.round(major * Math.pow(10, digits(code)));
        }
        if (pending != null) {
            pending.finish(orders);
        }
    }

    private final class Pending {
        final String orderId;
        final String customerId;
        final Instant time;
        final String currency;
        long minor;

        Pending(String orderId, String customerId, Instant time, String currency) {
            this.orderId = orderId;
            this.customerId = customerId;
            this.time = time;
            this.currency = currency;
        }

        void finish(Consumer<OrderEvent> orders) {
            orders.accept(OrderEvent.newBuilder().setEventId("history-" + orderId).setEventTime(time)
                    .setCustomerId(customerId).setOrderId(orderId).setType(OrderEventType.PLACED)
                    .setTotalMinor(minor).setCurrency(currency).build());
        }
    }

    private void drop(String reason) {
        dropped.merge(reason, 1L, Long::sum);
    }

    private Instant parseTime(String text) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                return LocalDateTime.parse(text.replace(' ', 'T')).atZone(rules.defaultZone()).toInstant();
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    private static Double number(String text) {
        try {
            return text.isEmpty() ? null : Double.parseDouble(text.replace(",", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double product(Double quantity, Double price) {
        return quantity == null || price == null || quantity <= 0 || price <= 0 ? null : quantity * price;
    }

    private static boolean isTrue(String text) {
        return switch (text.toLowerCase()) {
            case "true", "yes", "1", "y", "cancelled", "canceled" -> true;
            default -> false;
        };
    }

    private static int digits(String currency) {
        return Math.max(0, java.util.Currency.getInstance(currency).getDefaultFractionDigits());
    }

    private static int required(List<String> names, String column) {
        int index = names.indexOf(column);
        if (index < 0) {
            throw new IllegalArgumentException("the header has no column '" + column + "'; columns are " + names);
        }
        return index;
    }

    private static String cell(List<String> cells, int index) {
        return index < cells.size() ? cells.get(index).trim() : "";
    }

    /** One CSV line: commas separate, double quotes enclose (a doubled quote inside is a quote). */
    static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
