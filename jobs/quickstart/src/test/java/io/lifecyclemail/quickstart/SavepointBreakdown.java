package io.lifecyclemail.quickstart;

import io.lifecyclemail.common.flink.AvroBinarySerializer;
import io.lifecyclemail.common.flink.RecordBundle;
import java.lang.reflect.Field;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateEntry;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueSnapshotRestoreWrapper;
import org.apache.flink.runtime.state.heap.StateTable;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

/**
 * What each state of an operator's keyed state in a savepoint holds: the state is restored, on the
 * heap, into an operator that does nothing (the heap backend restores every state the savepoint names,
 * whether the operator asks for it or not), and each entry is written again with the state's own
 * serializers. The bytes are the entries' keys, namespaces and values, without the savepoint's framing.
 */
final class SavepointBreakdown {
    /** Entries and bytes of one state. */
    record Size(long entries, long bytes) {
    }

    private SavepointBreakdown() {
    }

    /** Per state name (timers under their queue's name), with the operator's key serializer as the job has it. */
    static <K> Map<String, Size> keyedState(OperatorState operator, TypeSerializer<K> keySerializer) throws Exception {
        OperatorSubtaskState state = AbstractStreamOperatorTestHarness.repackageState(
                operator.getSubtaskStates().values().toArray(OperatorSubtaskState[]::new));
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new Nothing<K>()),
                (Object in) -> null, keyType(keySerializer), operator.getMaxParallelism(), 1, 0)) {
            harness.setStateBackend(new HashMapStateBackend());
            harness.initializeState(state);
            harness.open();
            HeapKeyedStateBackend<K> backend = (HeapKeyedStateBackend<K>) harness.getOperator().getKeyedStateBackend();
            Map<String, Size> sizes = new TreeMap<>();
            DataOutputSerializer out = new DataOutputSerializer(4096);
            for (Map.Entry<String, StateTable<K, ?, ?>> table : SavepointBreakdown.<K>tables(backend).entrySet()) {
                Map<String, Size> parts = new TreeMap<>();
                sizes.put(table.getKey(), size(table.getValue(), keySerializer, out, parts));
                parts.forEach((part, size) -> sizes.put(table.getKey() + " / " + part, size));
            }
            for (Map.Entry<String, HeapPriorityQueueSnapshotRestoreWrapper<?>> queue : queues(backend).entrySet()) {
                sizes.put(queue.getKey(), size(queue.getValue(), out));
            }
            return sizes;
        }
    }

    /** The key types of the job's keyed stages. */
    @SuppressWarnings("unchecked")
    private static <K> TypeInformation<K> keyType(TypeSerializer<K> serializer) {
        for (TypeInformation<?> type : new TypeInformation<?>[] {Types.STRING, Types.INT, Types.LONG}) {
            if (type.createSerializer(new SerializerConfigImpl()).getClass() == serializer.getClass()) {
                return (TypeInformation<K>) type;
            }
        }
        throw new IllegalArgumentException("a key serializer not measured here: " + serializer);
    }

    /** @param parts filled with what each part of a {@link RecordBundle} value takes, its record alone */
    private static <K, N, S> Size size(StateTable<K, N, S> table, TypeSerializer<K> keys, DataOutputSerializer out,
                                       Map<String, Size> parts) throws Exception {
        TypeSerializer<N> namespaces = table.getNamespaceSerializer();
        TypeSerializer<S> values = table.getStateSerializer();
        long entries = 0;
        long bytes = 0;
        for (Iterator<StateEntry<K, N, S>> it = table.iterator(); it.hasNext(); ) {
            StateEntry<K, N, S> entry = it.next();
            out.clear();
            keys.serialize(entry.getKey(), out);
            namespaces.serialize(entry.getNamespace(), out);
            values.serialize(entry.getState(), out);
            entries++;
            bytes += out.length();
            if (entry.getState() instanceof RecordBundle bundle) {
                for (String part : bundle.names()) {
                    out.clear();
                    write(bundle.get(part), out);
                    add(parts, part, out.length());
                    if (BY_FIELD) {
                        fields(part, bundle.get(part), parts);
                    }
                }
            }
        }
        return new Size(entries, bytes);
    }

    /** With -Dw2.state-by-field=true, each part's top-level fields too ("part / field"). */
    private static final boolean BY_FIELD = Boolean.getBoolean("w2.state-by-field");

    private static void add(Map<String, Size> sizes, String name, long bytes) {
        sizes.merge(name, new Size(1, bytes), (sum, one) -> new Size(sum.entries() + one.entries(), sum.bytes() + one.bytes()));
    }

    /**
     * What each field of a part's record takes in Avro's binary encoding, into records and the records
     * of arrays ("governor.waiting[].command"), as deep as {@link #FIELD_DEPTH}.
     */
    private static void fields(String part, SpecificRecord record, Map<String, Size> parts) throws java.io.IOException {
        fields(part, record, parts, new java.io.ByteArrayOutputStream(), 1);
    }

    private static final int FIELD_DEPTH = 3;

    private static void fields(String path, org.apache.avro.generic.IndexedRecord record, Map<String, Size> sizes,
                               java.io.ByteArrayOutputStream bytes, int depth) throws java.io.IOException {
        for (org.apache.avro.Schema.Field field : record.getSchema().getFields()) {
            Object value = record.get(field.pos());
            bytes.reset();
            org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
            new org.apache.avro.specific.SpecificDatumWriter<>(field.schema()).write(value, encoder);
            encoder.flush();
            String name = path + "." + field.name();
            add(sizes, name, bytes.size());
            if (depth < FIELD_DEPTH && value instanceof org.apache.avro.generic.IndexedRecord inner) {
                fields(name, inner, sizes, bytes, depth + 1);
            } else if (depth < FIELD_DEPTH && value instanceof java.util.List<?> list) {
                for (Object element : list) {
                    if (element instanceof org.apache.avro.generic.IndexedRecord inner) {
                        fields(name + "[]", inner, sizes, bytes, depth + 1);
                    }
                }
            }
        }
    }

    /** A serializer per record class, for the parts of bundles (the breakdown runs in one thread). */
    private static final Map<Class<?>, AvroBinarySerializer<?>> RECORD_SERIALIZERS = new java.util.HashMap<>();

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void write(SpecificRecord record, DataOutputSerializer out) throws Exception {
        AvroBinarySerializer serializer = RECORD_SERIALIZERS.computeIfAbsent(record.getClass(),
                type -> new AvroBinarySerializer(type));
        serializer.serialize(record, out);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Size size(HeapPriorityQueueSnapshotRestoreWrapper queue, DataOutputSerializer out) throws Exception {
        TypeSerializer serializer = queue.getMetaInfo().getElementSerializer();
        long entries = 0;
        long bytes = 0;
        try (var it = queue.getPriorityQueue().iterator()) {
            while (it.hasNext()) {
                out.clear();
                serializer.serialize(it.next(), out);
                entries++;
                bytes += out.length();
            }
        }
        return new Size(entries, bytes);
    }

    @SuppressWarnings("unchecked")
    private static <K> Map<String, StateTable<K, ?, ?>> tables(HeapKeyedStateBackend<K> backend) throws Exception {
        return (Map<String, StateTable<K, ?, ?>>) field(backend, "registeredKVStates");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, HeapPriorityQueueSnapshotRestoreWrapper<?>> queues(HeapKeyedStateBackend<?> backend)
            throws Exception {
        return (Map<String, HeapPriorityQueueSnapshotRestoreWrapper<?>>) field(field(backend, "priorityQueuesManager"), "registeredPQStates");
    }

    private static Object field(Object target, String name) throws Exception {
        Field field = target.getClass().getDeclaredField(name); // the backend lists its states only internally
        field.setAccessible(true);
        return field.get(target);
    }

    /** Restores the state and does nothing else. */
    private static final class Nothing<K> extends KeyedProcessFunction<K, Object, Object> {
        @Override
        public void processElement(Object value, Context context, Collector<Object> out) {
        }
    }
}
