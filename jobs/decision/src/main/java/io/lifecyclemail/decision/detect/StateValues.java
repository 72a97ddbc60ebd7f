package io.lifecyclemail.decision.detect;

import io.lifecyclemail.schema.Product;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Keeps the values a customer's state is made of few objects. On the heap backend every customer's
 * state stays on the heap as objects, and the garbage collector's work grows with how many: an empty
 * list or buffer of its own per field, or a copy of the same time zone name per customer, costs each
 * of a million customers objects that say nothing, and so does a copy of the same product in every
 * cart. So state values share one empty list and one empty buffer, share the strings and products
 * that many customers repeat, and are never changed in place:
 * a change makes a new list (a value on the heap backend may also be in a snapshot being written).
 */
public final class StateValues {
    private StateValues() {}

    /** Distinct strings shared at most before sharing starts over. */
    static final int SHARED_STRINGS = 10_000;
    /** Distinct products (as shown: name and price included) shared at most before sharing starts over. */
    static final int SHARED_PRODUCTS = 100_000;
    private static final Shared<String> STRINGS = new Shared<>(SHARED_STRINGS);
    private static final Shared<Product> PRODUCTS = new Shared<>(SHARED_PRODUCTS);
    /**
     * The empty buffer every empty packed field shares. It cannot change: with no capacity its position
     * and limit stay 0, and a reader reusing it for a longer value allocates a new one.
     */
    public static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0);

    /** A new list: {@code list} and then {@code element}. */
    public static <T> List<T> appended(List<T> list, T element) {
        List<T> next = new ArrayList<>(list.size() + 1);
        next.addAll(list);
        next.add(element);
        return next;
    }

    /** The elements {@code keep} accepts: {@code list} itself when that is all of them, the shared empty list when none. */
    public static <T> List<T> kept(List<T> list, Predicate<? super T> keep) {
        int kept = 0;
        for (T element : list) {
            if (keep.test(element)) {
                kept++;
            }
        }
        if (kept == list.size()) {
            return list;
        }
        if (kept == 0) {
            return List.of();
        }
        List<T> next = new ArrayList<>(kept);
        for (T element : list) {
            if (keep.test(element)) {
                next.add(element);
            }
        }
        return next;
    }

    /** {@code list}, or the shared empty list when it is empty. */
    public static <T> List<T> compact(List<T> list) {
        return list.isEmpty() ? List.of() : list;
    }

    /** One instance of a string that many customers' states repeat: a time zone, a consent source. */
    public static String shared(String value) {
        return STRINGS.of(value);
    }

    /**
     * One instance of a product as shown (every field equal) for all the carts and views that hold it,
     * rather than a copy per customer from each event. Never to be changed in place.
     */
    public static Product shared(Product product) {
        return PRODUCTS.of(product);
    }

    /**
     * Equal values as one instance. Only what costs memory anyway is held: once {@code max} distinct
     * values are known, sharing starts over with the values that come next, so values that are no
     * longer seen (a price since changed) do not stay, and any variety of values costs a bounded map.
     */
    static final class Shared<T> {
        private final int max;
        private final Map<T, T> known = new ConcurrentHashMap<>();

        Shared(int max) {
            this.max = max;
        }

        T of(T value) {
            if (value == null) {
                return null;
            }
            T same = known.get(value);
            if (same != null) {
                return same;
            }
            if (known.size() >= max) {
                known.clear();
            }
            same = known.putIfAbsent(value, value);
            return same == null ? value : same;
        }
    }
}
