package io.lifecyclemail.decision.flink;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inputs that arrived ahead of the watermark, kept in memory by one parallel instance of a keyed stage
 * ({@link ArrivalsOperator}) until the watermark reaches them: then each key's are handled in one
 * call, with no state written for them on the way in. A checkpoint (or too many waiting) moves them
 * into state, where they are safe.
 */
final class Arrivals<T> {
    private record Arrival<T>(String key, long time, T input) {}

    private final List<Arrival<T>> waiting = new ArrayList<>();
    /** Whether {@link #waiting} is in time order: inputs mostly arrive so, and then need no sorting. */
    private boolean sorted = true;

    void add(String key, long time, T input) {
        if (sorted && !waiting.isEmpty() && waiting.get(waiting.size() - 1).time() > time) {
            sorted = false;
        }
        waiting.add(new Arrival<>(key, time, input));
    }

    int size() {
        return waiting.size();
    }

    /**
     * Takes the inputs at or before {@code time}: by key, in the order their first input came, each
     * key's in event-time order (arrival order within an instant).
     */
    Map<String, List<T>> takeUpTo(long time) {
        Map<String, List<T>> byKey = new LinkedHashMap<>();
        if (waiting.isEmpty()) {
            return byKey;
        }
        if (!sorted) {
            waiting.sort(Comparator.comparingLong(Arrival::time)); // stable: arrival order stays within an instant
            sorted = true;
        }
        int taken = 0;
        for (Arrival<T> arrival : waiting) {
            if (arrival.time() > time) {
                break;
            }
            byKey.computeIfAbsent(arrival.key(), key -> new ArrayList<>(2)).add(arrival.input());
            taken++;
        }
        waiting.subList(0, taken).clear();
        return byKey;
    }
}
