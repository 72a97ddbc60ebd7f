package io.lifecyclemail.decision.detect;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A customer's wake-ups: for each detector with state, by its code ({@link WakeUpKeys}), the event
 * time (epoch ms) at which it next needs attention. Immutable, earliest first; a change makes a copy.
 *
 * <p>Packed for keyed state in a few bytes per detector: 4 bytes of code, then the time as a varint: the first
 * zig-zag encoded, the others as how much later they are than the one before (wake-ups of one
 * customer lie close together). A map of 7-character codes to longs took twice that, and on RocksDB every event that
 * moves a wake-up writes the index again.
 */
public final class WakeUpIndex {
    public static final WakeUpIndex EMPTY = new WakeUpIndex(new int[0], new long[0]);

    private final int[] codes;
    private final long[] times;

    private WakeUpIndex(int[] codes, long[] times) {
        this.codes = codes;
        this.times = times;
    }

    public boolean isEmpty() {
        return codes.length == 0;
    }

    public int size() {
        return codes.length;
    }

    /** The earliest wake-up, null if there is none. */
    public Long earliest() {
        return codes.length == 0 ? null : times[0];
    }

    /** The earliest wake-up later than {@code after}, null if there is none. */
    public Long earliestAfter(long after) {
        for (long time : times) {
            if (time > after) {
                return time;
            }
        }
        return null;
    }

    /** The wake-up of the detector with this code, null if it has none. */
    public Long get(int code) {
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == code) {
                return times[i];
            }
        }
        return null;
    }

    /** This index with the detector's wake-up set to {@code time}, or removed if null; itself if nothing changes. */
    public WakeUpIndex with(int code, Long time) {
        int at = indexOf(code);
        if (at >= 0 && time != null && times[at] == time) {
            return this;
        }
        if (at < 0 && time == null) {
            return this;
        }
        int size = codes.length - (at >= 0 ? 1 : 0) + (time != null ? 1 : 0);
        int[] nextCodes = new int[size];
        long[] nextTimes = new long[size];
        int to = 0;
        boolean placed = time == null;
        for (int from = 0; from < codes.length; from++) {
            if (from == at) {
                continue;
            }
            if (!placed && time < times[from]) {
                nextCodes[to] = code;
                nextTimes[to++] = time;
                placed = true;
            }
            nextCodes[to] = codes[from];
            nextTimes[to++] = times[from];
        }
        if (!placed) {
            nextCodes[to] = code;
            nextTimes[to] = time;
        }
        return new WakeUpIndex(nextCodes, nextTimes);
    }

    private int indexOf(int code) {
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == code) {
                return i;
            }
        }
        return -1;
    }

    /** The index in its packed form (see the class comment). */
    public ByteBuffer pack() {
        if (codes.length == 0) {
            return StateValues.NO_BYTES;
        }
        ByteBuffer packed = ByteBuffer.allocate(codes.length * 14);
        long previous = 0;
        for (int i = 0; i < codes.length; i++) {
            packed.putInt(codes[i]);
            // the first as zig-zag (any sign), the others by how much later they are (never negative)
            putVarLong(packed, i == 0 ? (times[0] << 1) ^ (times[0] >> 63) : times[i] - previous);
            previous = times[i];
        }
        packed.flip();
        return packed;
    }

    /** Reads a packed index without moving the buffer's position. */
    public static WakeUpIndex unpack(ByteBuffer packed) {
        if (packed == null || !packed.hasRemaining()) {
            return EMPTY;
        }
        ByteBuffer in = packed.duplicate();
        int[] codes = new int[in.remaining() / 5];
        long[] times = new long[codes.length];
        int size = 0;
        long previous = 0;
        while (in.hasRemaining()) {
            codes[size] = in.getInt();
            long value = getVarLong(in);
            times[size] = size == 0 ? (value >>> 1) ^ -(value & 1) : previous + value;
            previous = times[size++];
        }
        return new WakeUpIndex(Arrays.copyOf(codes, size), Arrays.copyOf(times, size));
    }

    /** The earliest wake-up of a packed index, without reading the rest; null if it is empty. */
    public static Long earliestPacked(ByteBuffer packed) {
        if (packed == null || !packed.hasRemaining()) {
            return null;
        }
        ByteBuffer in = packed.duplicate();
        in.getInt();
        long value = getVarLong(in);
        return (value >>> 1) ^ -(value & 1);
    }

    /**
     * The same entries, with the times of codes met twice merged to the earliest: for an index read
     * from an older form, where a name and its code could both be present.
     */
    public WakeUpIndex withEarliest(int code, long time) {
        Long present = get(code);
        return present != null && present <= time ? this : with(code, time);
    }

    /** Sorted times packed as this index packs its times: the first zig-zag encoded, the others as distances. */
    static ByteBuffer packTimes(long[] sorted) {
        if (sorted.length == 0) {
            return StateValues.NO_BYTES;
        }
        ByteBuffer packed = ByteBuffer.allocate(sorted.length * 10);
        for (int i = 0; i < sorted.length; i++) {
            putVarLong(packed, i == 0 ? (sorted[0] << 1) ^ (sorted[0] >> 63) : sorted[i] - sorted[i - 1]);
        }
        packed.flip();
        return packed;
    }

    /** Reads times written by {@link #packTimes} without moving the buffer's position. */
    static long[] unpackTimes(ByteBuffer packed) {
        if (packed == null || !packed.hasRemaining()) {
            return new long[0];
        }
        ByteBuffer in = packed.duplicate();
        long[] times = new long[in.remaining()];
        int size = 0;
        while (in.hasRemaining()) {
            long value = getVarLong(in);
            times[size] = size == 0 ? (value >>> 1) ^ -(value & 1) : times[size - 1] + value;
            size++;
        }
        return Arrays.copyOf(times, size);
    }

    static void putVarLong(ByteBuffer out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }

    static long getVarLong(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WakeUpIndex index && Arrays.equals(codes, index.codes) && Arrays.equals(times, index.times);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(codes) + Arrays.hashCode(times);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < codes.length; i++) {
            text.append(i == 0 ? "" : ", ").append(codes[i]).append('=').append(times[i]);
        }
        return text.append('}').toString();
    }
}
