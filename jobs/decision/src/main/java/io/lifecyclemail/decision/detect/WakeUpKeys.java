package io.lifecyclemail.decision.detect;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The keys under which a customer's wake-up index remembers each detector: a short code of the
 * detector's state name ("#" and base 36 of its {@link String#hashCode}, at most 7 characters)
 * instead of the name, which is often 20 to 40 characters and is stored in every customer's index.
 * Derived from the name alone (the hash is fixed by the Java specification), so a detector keeps its
 * key when other scenarios are added or removed; state names never start with "#", so an index
 * written by an older version, keyed by names, is recognised.
 */
public final class WakeUpKeys {
    private WakeUpKeys() {
    }

    /**
     * State name -> its key in the wake-up index, for the detectors of one job.
     *
     * @throws IllegalArgumentException if two names have the same code (about one pair in two
     *     billion): the job must not start, since their wake-ups would be mixed up
     */
    public static Map<String, String> of(Collection<String> stateNames) {
        Map<String, String> keys = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        for (String name : stateNames) {
            String code = code(name);
            String other = names.putIfAbsent(code, name);
            if (other != null && !other.equals(name)) {
                throw new IllegalArgumentException("scenario states " + other + " and " + name
                        + " have the same wake-up key " + code + ": rename one of the scenarios");
            }
            keys.put(name, code);
        }
        return keys;
    }

    /** Whether a key of an index is a code, not a state name as older versions wrote it. */
    public static boolean isCode(String key) {
        return key.startsWith("#");
    }

    static String code(String stateName) {
        return "#" + Integer.toString(stateName.hashCode() & Integer.MAX_VALUE, Character.MAX_RADIX);
    }
}
