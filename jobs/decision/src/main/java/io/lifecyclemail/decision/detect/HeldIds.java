package io.lifecyclemail.decision.detect;

import io.lifecyclemail.state.IdsToForget;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Ids of applied events that an agenda holds itself, by the span at whose end they may be forgotten,
 * as 64-bit hashes packed in one buffer: an id then costs 8 bytes in the agenda's buffer, where as a
 * string it was two objects of its own on the heap backend, kept for the allowed lateness, and more
 * bytes in RocksDB. A value: every change makes a new one.
 *
 * <p>Two different ids of one customer within the allowed lateness share a hash with a probability of
 * about n² / 2^65 for n ids held (n ≤ {@link Agenda#IDS_HELD}): a later copy of one would be taken for
 * a copy of the other and ignored. That is far below any other way an event is lost.
 */
final class HeldIds {
    static final HeldIds NONE = new HeldIds(new long[0], new long[0][]);

    /** When each span may be forgotten, ascending. */
    private final long[] spans;
    /** The hashes of each span's ids. */
    private final long[][] hashes;

    private HeldIds(long[] spans, long[][] hashes) {
        this.spans = spans;
        this.hashes = hashes;
    }

    /**
     * The hash an id is held by. Stored in savepoints: never to change. FNV-1a over the id's UTF-16
     * code units, then MurmurHash3's 64-bit finaliser to spread the bits.
     */
    static long hash(String id) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            hash ^= id.charAt(i);
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash;
    }

    /** Ids older versions held as strings, by span, earliest first, with those already held as hashes. */
    static HeldIds of(List<IdsToForget> older, HeldIds hashed) {
        HeldIds all = hashed;
        for (IdsToForget span : older) {
            long[] spanHashes = new long[span.getIds().size()];
            for (int i = 0; i < spanHashes.length; i++) {
                spanHashes[i] = hash(span.getIds().get(i));
            }
            all = all.with(span.getForgetAt(), spanHashes);
        }
        return all;
    }

    static HeldIds unpack(ByteBuffer packed) {
        if (packed == null || !packed.hasRemaining()) {
            return NONE;
        }
        ByteBuffer in = packed.duplicate();
        long[] spans = new long[4];
        long[][] hashes = new long[4][];
        int size = 0;
        while (in.hasRemaining()) {
            long value = WakeUpIndex.getVarLong(in);
            long span = size == 0 ? (value >>> 1) ^ -(value & 1) : spans[size - 1] + value;
            long[] spanHashes = new long[(int) WakeUpIndex.getVarLong(in)];
            for (int i = 0; i < spanHashes.length; i++) {
                spanHashes[i] = in.getLong();
            }
            if (size == spans.length) {
                spans = Arrays.copyOf(spans, size * 2);
                hashes = Arrays.copyOf(hashes, size * 2);
            }
            spans[size] = span;
            hashes[size] = spanHashes;
            size++;
        }
        return new HeldIds(Arrays.copyOf(spans, size), Arrays.copyOf(hashes, size));
    }

    /** The packed form (see the class comment); the shared empty buffer when no ids are held. */
    ByteBuffer pack() {
        if (spans.length == 0) {
            return StateValues.NO_BYTES;
        }
        ByteBuffer packed = ByteBuffer.allocate(spans.length * 20 + count() * 8);
        for (int i = 0; i < spans.length; i++) {
            WakeUpIndex.putVarLong(packed, i == 0 ? (spans[0] << 1) ^ (spans[0] >> 63) : spans[i] - spans[i - 1]);
            WakeUpIndex.putVarLong(packed, hashes[i].length);
            for (long hash : hashes[i]) {
                packed.putLong(hash);
            }
        }
        packed.flip();
        return packed;
    }

    int count() {
        int count = 0;
        for (long[] spanHashes : hashes) {
            count += spanHashes.length;
        }
        return count;
    }

    boolean holds(long hash) {
        for (long[] spanHashes : hashes) {
            for (long held : spanHashes) {
                if (held == hash) {
                    return true;
                }
            }
        }
        return false;
    }

    /** When each span may be forgotten, ascending. */
    long[] spans() {
        return spans;
    }

    /** The earliest span, null when none is held. */
    Long first() {
        return spans.length == 0 ? null : spans[0];
    }

    /** These and {@code more} ids of the span at {@code span}. */
    HeldIds with(long span, long[] more) {
        int at = Arrays.binarySearch(spans, span);
        if (at >= 0) {
            long[][] nextHashes = hashes.clone();
            long[] joined = Arrays.copyOf(hashes[at], hashes[at].length + more.length);
            System.arraycopy(more, 0, joined, hashes[at].length, more.length);
            nextHashes[at] = joined;
            return new HeldIds(spans, nextHashes);
        }
        int insert = -at - 1;
        long[] nextSpans = new long[spans.length + 1];
        long[][] nextHashes = new long[spans.length + 1][];
        System.arraycopy(spans, 0, nextSpans, 0, insert);
        System.arraycopy(hashes, 0, nextHashes, 0, insert);
        nextSpans[insert] = span;
        nextHashes[insert] = more.clone();
        System.arraycopy(spans, insert, nextSpans, insert + 1, spans.length - insert);
        System.arraycopy(hashes, insert, nextHashes, insert + 1, spans.length - insert);
        return new HeldIds(nextSpans, nextHashes);
    }

    /** Without the spans that may be forgotten by {@code time}. */
    HeldIds after(long time) {
        int from = 0;
        while (from < spans.length && spans[from] <= time) {
            from++;
        }
        return from == 0 ? this : from == spans.length ? NONE
                : new HeldIds(Arrays.copyOfRange(spans, from, spans.length), Arrays.copyOfRange(hashes, from, hashes.length));
    }
}
