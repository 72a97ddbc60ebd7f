package io.lifecyclemail.decision.detect;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The codes under which a customer's wake-up index ({@link WakeUpIndex}) remembers each detector: the
 * {@link String#hashCode} of the detector's state name, without its sign, instead of the name, which is
 * often 20 to 40 characters and would be stored in every customer's index. Derived from the name alone
 * (the hash is fixed by the Java specification), so a detector keeps its code when other scenarios are
 * added or removed.
 */
public final class WakeUpKeys {
    private WakeUpKeys() {
    }

    /**
     * State name -> its code in the wake-up index, for the detectors of one job.
     *
     * @throws IllegalArgumentException if two names have the same code (about one pair in two
     *     billion): the job must not start, since their wake-ups would be mixed up
     */
    public static Map<String, Integer> of(Collection<String> stateNames) {
        Map<String, Integer> codes = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        for (String name : stateNames) {
            int code = code(name);
            String other = names.putIfAbsent(code, name);
            if (other != null && !other.equals(name)) {
                throw new IllegalArgumentException("scenario states " + other + " and " + name
                        + " have the same wake-up key " + code + ": rename one of the scenarios");
            }
            codes.put(name, code);
        }
        return codes;
    }

    /**
     * The code of a key in an index as older versions wrote it, as a map: "#" and the code in base 36,
     * or before that the state name itself (state names never start with "#").
     */
    public static int codeOfOlderKey(String key) {
        return key.startsWith("#") ? Integer.parseInt(key.substring(1), Character.MAX_RADIX) : code(key);
    }

    static int code(String stateName) {
        return stateName.hashCode() & Integer.MAX_VALUE;
    }
}
