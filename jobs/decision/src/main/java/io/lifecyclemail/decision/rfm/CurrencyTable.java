package io.lifecyclemail.decision.rfm;

import io.lifecyclemail.common.options.Pairs;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Map;

/**
 * Converts order amounts into the shop's base currency with a configured table of rates (one unit
 * of the currency is worth {@code rate} units of the base currency). Amounts are in minor units of
 * their currency (yen, cents), as on the topics.
 */
public record CurrencyTable(String base, Map<String, BigDecimal> rates) implements Serializable {
    public CurrencyTable {
        Currency.getInstance(base); // an ISO 4217 code, or IllegalArgumentException
        rates = Map.copyOf(rates);
        rates.keySet().forEach(Currency::getInstance);
    }

    /** Only the base currency: amounts in another currency cannot be converted. */
    public static CurrencyTable only(String base) {
        return new CurrencyTable(base, Map.of());
    }

    /** Parses {@code USD=150,EUR=162.5} (units of the base currency per unit). */
    public static CurrencyTable parse(String base, String rates) {
        java.util.Map<String, BigDecimal> table = new java.util.HashMap<>();
        Pairs.parse(rates, "CODE=rate, e.g. USD=150")
                .forEach((code, rate) -> table.put(code.toUpperCase(), new BigDecimal(rate)));
        return new CurrencyTable(base, table);
    }

    public boolean canConvert(String currency) {
        return currency == null || currency.equalsIgnoreCase(base) || rates.containsKey(currency.toUpperCase());
    }

    /**
     * @param currency the amount's ISO code; null means the base currency
     * @return the amount in minor units of the base currency, rounded half up
     * @throws IllegalArgumentException when the table has no rate for the currency
     */
    public long toBaseMinor(long amountMinor, String currency) {
        if (currency == null || currency.equalsIgnoreCase(base)) {
            return amountMinor;
        }
        BigDecimal rate = rates.get(currency.toUpperCase());
        if (rate == null) {
            throw new IllegalArgumentException("no rate for " + currency + " to " + base);
        }
        BigDecimal major = BigDecimal.valueOf(amountMinor).movePointLeft(digits(currency));
        return major.multiply(rate).movePointRight(digits(base)).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private static int digits(String code) {
        return Math.max(0, Currency.getInstance(code.toUpperCase()).getDefaultFractionDigits());
    }
}
