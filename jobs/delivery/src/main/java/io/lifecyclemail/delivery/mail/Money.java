package io.lifecyclemail.delivery.mail;

import java.math.BigDecimal;
import java.text.NumberFormat;
import java.util.Currency;
import java.util.Locale;

/** Prices are carried in minor units (yen, cents) and shown the way the reader's locale writes them. */
public final class Money {
    private Money() {}

    public static String format(long minorUnits, String currencyCode, Locale locale) {
        Currency currency = Currency.getInstance(currencyCode);
        int digits = Math.max(0, currency.getDefaultFractionDigits());
        NumberFormat format = NumberFormat.getCurrencyInstance(locale);
        format.setCurrency(currency);
        format.setMinimumFractionDigits(digits);
        format.setMaximumFractionDigits(digits);
        return format.format(BigDecimal.valueOf(minorUnits, digits));
    }
}
