package io.lifecyclemail.common.kafka;

import java.io.Serializable;

/** Meaning checks on a decoded record; a record that breaks one goes to the dead letters. */
@FunctionalInterface
public interface InputRule<T> extends Serializable {
    /** @return why the record cannot be used, or null when it can */
    String problem(T record);
}
