package io.lifecyclemail.common.options;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Option values written as a list of pairs: {@code USD=150, EUR=162.5}. */
public final class Pairs {
    private Pairs() {}

    /**
     * The pairs in the order written; blank entries are skipped, a blank list is empty.
     *
     * @param shape how one pair is written, for the error, e.g. "CODE=rate, e.g. USD=150"
     * @throws IllegalArgumentException naming the entry that is not a pair
     */
    public static Map<String, String> parse(String spec, String shape) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.split("=");
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("'" + entry.strip() + "' is not " + shape);
            }
            pairs.put(parts[0].strip(), parts[1].strip());
        }
        return Collections.unmodifiableMap(pairs);
    }
}
