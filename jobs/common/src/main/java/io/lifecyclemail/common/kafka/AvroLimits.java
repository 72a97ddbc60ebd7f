package io.lifecyclemail.common.kafka;

import java.util.Map;
import org.apache.avro.SystemLimitException;

/**
 * Avro trusts the lengths written in the bytes: a corrupt record claiming a 500-million-item array
 * makes the decoder allocate it, and one poison record takes the task manager down with an
 * OutOfMemoryError. These limits make such a record fail to decode (and go to the dead letters).
 * Avro reads them once, when it first checks a length, so they are set as JVM options of every
 * process that decodes our topics (deploy/flink/config.yaml, the test and quickstart JVMs), and here
 * too as a fallback for processes started without them.
 */
public final class AvroLimits {
    /** More cart or order lines than any shop shows. */
    public static final int MAX_COLLECTION_ITEMS = 100_000;
    public static final int MAX_STRING_BYTES = 1 << 20;
    /** Dead letters carry whole Kafka records as bytes. */
    public static final int MAX_BYTES = 16 << 20;

    public static final Map<String, Integer> PROPERTIES = Map.of(
            SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_COLLECTION_ITEMS,
            SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_STRING_BYTES,
            SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_BYTES);

    private AvroLimits() {}

    /** Sets the limits unless the JVM was started with its own; effective if Avro has not checked a length yet. */
    public static void applyDefaults() {
        PROPERTIES.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, String.valueOf(value));
            }
        });
    }

    /** True when the limits are in force in this JVM. */
    public static boolean inForce() {
        try {
            SystemLimitException.checkMaxCollectionLength(MAX_COLLECTION_ITEMS + 1L);
            return false;
        } catch (SystemLimitException expected) {
            return true;
        }
    }
}
