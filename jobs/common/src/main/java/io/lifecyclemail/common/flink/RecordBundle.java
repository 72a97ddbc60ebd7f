package io.lifecyclemail.common.flink;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Several Avro records of one key kept as one state value, each under its part's name. A customer's
 * detectors kept one state each, and each repeated the customer id as its key and the savepoint's
 * framing around it; on the heap backend each was a lookup of its own. Which parts a bundle may hold,
 * and in which order they are written, is its serializer's ({@link RecordBundleSerializer}); a bundle
 * itself holds records by name, so that one read with another version's parts still finds them.
 */
public final class RecordBundle {
    /** A part of a bundle: its name (stable across versions, as a state name is) and its record class. */
    public record Part(String name, Class<? extends SpecificRecord> type) implements Serializable {
        public Part {
            Objects.requireNonNull(name);
            Objects.requireNonNull(type);
        }
    }

    private final List<String> names;
    private final List<SpecificRecord> records;

    public RecordBundle() {
        this(4);
    }

    RecordBundle(int expectedParts) {
        names = new ArrayList<>(expectedParts);
        records = new ArrayList<>(expectedParts);
    }

    /** The record under {@code name}; null if none. */
    public SpecificRecord get(String name) {
        int at = indexOf(name);
        return at < 0 ? null : records.get(at);
    }

    /** Keeps {@code record} under {@code name}; null removes it. */
    public void put(String name, SpecificRecord record) {
        int at = indexOf(name);
        if (record == null) {
            if (at >= 0) {
                names.remove(at);
                records.remove(at);
            }
        } else if (at >= 0) {
            records.set(at, record);
        } else {
            names.add(name);
            records.add(record);
        }
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** The names of the records held, in the order they were put. */
    public List<String> names() {
        return List.copyOf(names);
    }

    private int indexOf(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i) == name) { // callers pass the part's own name: usually the same instance
                return i;
            }
        }
        return names.indexOf(name);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof RecordBundle that) || that.names.size() != names.size()) {
            return false;
        }
        for (int i = 0; i < names.size(); i++) {
            if (!Objects.equals(records.get(i), that.get(names.get(i)))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 0;
        for (int i = 0; i < names.size(); i++) {
            hash += names.get(i).hashCode() ^ records.get(i).hashCode(); // independent of the order
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("RecordBundle{");
        for (int i = 0; i < names.size(); i++) {
            text.append(i == 0 ? "" : ", ").append(names.get(i)).append('=').append(records.get(i));
        }
        return text.append('}').toString();
    }
}
