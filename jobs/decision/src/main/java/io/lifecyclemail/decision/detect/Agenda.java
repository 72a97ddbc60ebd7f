package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.WakeUps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Everything a customer's one timer is for, in one state value: the detectors' wake-ups, the inputs
 * waiting for the watermark to reach their event time, and when spans of remembered event ids may be
 * forgotten (the first few of those ids too, as hashes: {@link HeldIds}). The timer stands at the earliest of them; when it fires, the customer's instants up to the
 * watermark are handled in event-time order in one call ({@link #next}), instead of one timer and one
 * call (each reading the same state again) per instant.
 *
 * <p>The first {@link #HELD_INLINE} waiting inputs are held here; a busy customer's further inputs
 * wait in a map by instant and only their instants are listed here, so an event never rewrites more
 * than a bounded number of inputs. Read once per call, changed in place, written back if it changed.
 */
public final class Agenda {
    /** Waiting inputs held in the agenda itself: beyond these only their instants are. */
    public static final int HELD_INLINE = 16;
    /** Ids of applied events held in the agenda itself: beyond these they are in a map by span. */
    public static final int IDS_HELD = 32;
    private static final long[] NO_TIMES = new long[0];

    /** As read; null for a customer without one. Parts not changed are written back as they were read. */
    private final WakeUps stored;
    /** Decoded when first asked for: an input arriving only needs the earliest wake-up. */
    private WakeUpIndex wakeUps;
    private boolean wakeUpsChanged;
    /** As read until changed, then a copy: a list stored on the heap backend must not change under a snapshot. */
    private List<CustomerInput> held;
    private boolean heldCopied;
    /** The earliest event time in {@link #held}, null until asked for after a change. */
    private Long earliestHeld;
    /** Instants with inputs in the map by instant. */
    private final Times heldElsewhere;
    /** Spans of ids in the map by span. */
    private final Times forgetAt;
    /** The earliest entry of all, while known without reading every part: kept as entries are added. */
    private Long earliest;
    private boolean earliestKnown;
    /** Decoded when first asked for (older versions' ids as strings taken over then); null until. */
    private HeldIds ids;
    private boolean idsChanged;
    private boolean changed;
    private final Long earliestBefore;

    private Agenda(WakeUps stored) {
        this.stored = stored;
        heldElsewhere = new Times(stored == null ? null : stored.getHeldElsewhere());
        forgetAt = new Times(stored == null ? null : stored.getForgetAt());
        if (stored == null) {
            wakeUps = WakeUpIndex.EMPTY;
            held = List.of();
            ids = HeldIds.NONE;
        } else {
            held = stored.getHeld();
            if (!stored.getTimes().isEmpty()) {
                wakeUps(); // wake-ups an older version wrote as a map: written back packed
            } else if (stored.getEarliest() != null) {
                earliest = stored.getEarliest();
                earliestKnown = true;
            }
        }
        this.earliestBefore = earliest();
    }

    /**
     * The agenda as stored; null is an empty one. Wake-ups an older version wrote as a map (keyed by
     * codes, or before them by state names) are taken over, and written back packed.
     */
    public static Agenda of(WakeUps stored) {
        return new Agenda(stored);
    }

    /**
     * Sorted distinct times, packed as stored: decoded when first asked for (on the heap backend every
     * part of the agenda is an object of its own to fetch), packed again only if changed.
     */
    private static final class Times {
        private final java.nio.ByteBuffer packed;
        private long[] times;
        private boolean changed;

        Times(java.nio.ByteBuffer packed) {
            this.packed = packed;
        }

        long[] times() {
            if (times == null) {
                times = packed == null || !packed.hasRemaining() ? NO_TIMES : WakeUpIndex.unpackTimes(packed);
            }
            return times;
        }

        Long first() {
            return times().length == 0 ? null : times()[0];
        }

        boolean contains(long time) {
            return Arrays.binarySearch(times(), time) >= 0;
        }

        /** @return whether it was not there */
        boolean add(long time) {
            return become(withTime(times(), time));
        }

        /** @return whether it was there */
        boolean remove(long time) {
            return become(withoutTime(times(), time));
        }

        /** @return whether that is a change */
        private boolean become(long[] next) {
            boolean differs = next != times;
            changed |= differs;
            times = next;
            return differs;
        }

        java.nio.ByteBuffer packed(boolean fresh) {
            return fresh || changed ? WakeUpIndex.packTimes(times()) : packed;
        }
    }

    /** What to store: null when nothing is left. */
    public WakeUps toRecord() {
        if (isEmpty()) {
            return null;
        }
        // the lists are handed over: the agenda is not used after it is stored
        boolean fresh = stored == null;
        boolean idsAsRead = !fresh && !idsChanged;
        return new WakeUps(Map.of(), fresh || wakeUpsChanged ? wakeUps().pack() : stored.getPacked(),
                StateValues.compact(held), heldElsewhere.packed(fresh), forgetAt.packed(fresh),
                idsAsRead ? stored.getIdsHeld() : List.of(), earliest(), idsAsRead ? stored.getIdHashes() : ids.pack());
    }

    /** Every entry has a time, so an agenda without an earliest one is empty. */
    public boolean isEmpty() {
        return earliest() == null;
    }

    /** Whether anything changed since it was read. */
    public boolean changed() {
        return changed;
    }

    /** The earliest entry when the agenda was read: where the customer's timer stands. */
    public Long earliestBefore() {
        return earliestBefore;
    }

    /** The earliest entry of any kind: where the customer's timer must stand. */
    public Long earliest() {
        if (!earliestKnown) {
            Long all = earliestWakeUp();
            all = min(all, earliestHeld());
            all = min(all, heldElsewhere.first());
            earliest = min(all, earliestForgetting());
            earliestKnown = true;
        }
        return earliest;
    }

    /** An entry at {@code time} was added. */
    private void added(long time) {
        changed = true;
        if (earliestKnown) {
            earliest = min(earliest, time);
        }
    }

    private boolean taken(boolean removed) {
        if (removed) {
            removed();
        }
        return removed;
    }

    /** An entry was removed or moved. */
    private void removed() {
        changed = true;
        earliestKnown = false;
    }


    /**
     * The next instant after {@code after} to handle: the earliest waiting input or span to forget up
     * to {@code upTo}, or wake-up up to {@code wakeUpsUpTo}; null if there is none. Each instant is
     * handled once per call: a wake-up a decision set at or before the instant just handled is left to
     * the timer the call ends with, as when every instant had a timer of its own.
     */
    public Long next(long upTo, long after, long wakeUpsUpTo) {
        Long next = null;
        next = earlierIfIn(next, earliestHeld(), after, upTo); // inputs of instants handled have left
        next = earlierIfIn(next, firstAfter(heldElsewhere.times(), after), after, upTo);
        next = earlierIfIn(next, firstAfter(forgetAt.times(), after), after, upTo);
        for (long span : ids().spans()) {
            next = earlierIfIn(next, span, after, upTo);
        }
        return earlierIfIn(next, wakeUps().earliestAfter(after), after, wakeUpsUpTo);
    }

    private static Long earlierIfIn(Long next, Long time, long after, long upTo) {
        return time != null && time > after && time <= upTo ? min(next, time) : next;
    }

    private static Long firstAfter(long[] sorted, long after) {
        for (long time : sorted) {
            if (time > after) {
                return time;
            }
        }
        return null;
    }

    public WakeUpIndex wakeUps() {
        if (wakeUps == null) {
            WakeUpIndex index = WakeUpIndex.unpack(stored.getPacked());
            for (Map.Entry<String, Long> older : stored.getTimes().entrySet()) {
                index = index.withEarliest(WakeUpKeys.codeOfOlderKey(older.getKey()), older.getValue());
                wakeUpsChanged = true;
                changed = true;
            }
            wakeUps = index;
        }
        return wakeUps;
    }

    public void wakeUps(WakeUpIndex next) {
        if (next != wakeUps()) {
            wakeUps = next;
            wakeUpsChanged = true;
            removed(); // a wake-up may have moved later
        }
    }

    private Long earliestWakeUp() {
        return wakeUps != null ? wakeUps.earliest() : WakeUpIndex.earliestPacked(stored.getPacked());
    }

    /** Holds a waiting input here, unless {@link #HELD_INLINE} already are: then false, and it waits elsewhere. */
    public boolean holdInline(CustomerInput input) {
        if (held.size() >= HELD_INLINE) {
            return false;
        }
        ownHeld().add(input);
        earliestHeld = null;
        added(CustomerInputs.eventTime(input));
        return true;
    }

    /** Notes that inputs of this instant wait elsewhere. */
    public void heldElsewhereAt(long time) {
        if (heldElsewhere.add(time)) {
            added(time);
        }
    }

    /** The inputs of this instant held here, in arrival order; they leave the agenda. */
    public List<CustomerInput> takeHeldAt(long time) {
        List<CustomerInput> taken = new ArrayList<>(1);
        if (held.stream().noneMatch(input -> CustomerInputs.eventTime(input) == time)) {
            return taken;
        }
        earliestHeld = null;
        ownHeld().removeIf(input -> {
            boolean at = CustomerInputs.eventTime(input) == time;
            if (at) {
                taken.add(input);
            }
            return at;
        });
        removed();
        return taken;
    }

    /** Whether inputs of this instant wait elsewhere; the instant leaves the agenda. */
    public boolean takeHeldElsewhereAt(long time) {
        return taken(heldElsewhere.remove(time));
    }

    /** Notes that the span of remembered ids at this time is to be forgotten then. */
    public void forgetAt(long time) {
        if (forgetAt.add(time)) {
            added(time);
        }
    }

    /** Whether a span of ids is to be forgotten at this time. */
    public boolean forgets(long time) {
        return forgetAt.contains(time);
    }

    /** Whether a span of ids is to be forgotten at this time; it leaves the agenda. */
    public boolean takeForgetAt(long time) {
        return taken(forgetAt.remove(time));
    }

    /**
     * Remembers ids of applied events here, to be forgotten at {@code span}, if there is room and the
     * span has no ids in the map already; else false, and the caller keeps them there.
     */
    public boolean rememberHere(long span, List<String> applied) {
        if (forgets(span) || ids().count() + applied.size() > IDS_HELD) {
            return false;
        }
        long[] hashes = new long[applied.size()];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = HeldIds.hash(applied.get(i));
        }
        ids = ids().with(span, hashes);
        idsChanged = true;
        added(span);
        return true;
    }

    /** Whether this id is among those held here. */
    public boolean holdsId(String id) {
        return ids().holds(HeldIds.hash(id));
    }

    /** Forgets the ids held here that may be forgotten by this time. */
    public void forgetHeldIdsUpTo(long time) {
        HeldIds left = ids().after(time);
        if (left != ids) {
            ids = left;
            idsChanged = true;
            removed();
        }
    }

    /** The ids held here; those an older version held as strings are taken over as hashes, to be written back. */
    private HeldIds ids() {
        if (ids == null) {
            ids = HeldIds.unpack(stored.getIdHashes());
            if (!stored.getIdsHeld().isEmpty()) {
                ids = HeldIds.of(stored.getIdsHeld(), ids);
                idsChanged = true;
                changed = true;
            }
        }
        return ids;
    }

    private Long earliestForgetting() {
        return min(forgetAt.first(), ids().first());
    }

    private List<CustomerInput> ownHeld() {
        if (!heldCopied) {
            held = new ArrayList<>(held);
            heldCopied = true;
        }
        return held;
    }

    private Long earliestHeld() {
        if (earliestHeld == null && !held.isEmpty()) {
            earliestHeld = earliestOf(held);
        }
        return earliestHeld;
    }

    private static Long earliestOf(List<CustomerInput> held) {
        Long earliest = null;
        for (CustomerInput input : held) {
            earliest = min(earliest, CustomerInputs.eventTime(input));
        }
        return earliest;
    }

    private static Long min(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(Math.min(a, b));
    }

    private static long[] withTime(long[] sorted, long time) {
        int at = Arrays.binarySearch(sorted, time);
        if (at >= 0) {
            return sorted;
        }
        int insert = -at - 1;
        long[] next = new long[sorted.length + 1];
        System.arraycopy(sorted, 0, next, 0, insert);
        next[insert] = time;
        System.arraycopy(sorted, insert, next, insert + 1, sorted.length - insert);
        return next;
    }

    private static long[] withoutTime(long[] sorted, long time) {
        int at = Arrays.binarySearch(sorted, time);
        if (at < 0) {
            return sorted;
        }
        long[] next = new long[sorted.length - 1];
        System.arraycopy(sorted, 0, next, 0, at);
        System.arraycopy(sorted, at + 1, next, at, sorted.length - at - 1);
        return next;
    }
}
