package io.lifecyclemail.decision.flink;

import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.state.CustomerInput;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs a {@link CustomerScenariosFunction} and, once at start, looks whether the restored state has
 * inputs in the list versions before the inputs by instant kept them in. Almost never: then the
 * function need not read that list for every timer (two state reads in every event's path).
 */
public final class CustomerScenariosOperator extends KeyedProcessOperator<String, CustomerInput, Decision> {
    private static final long serialVersionUID = 1L;

    public CustomerScenariosOperator(CustomerScenariosFunction function) {
        super(function);
    }

    @Override
    public void open() throws Exception {
        super.open(); // the function registers its states
        try (Stream<String> keys = this.<String>getKeyedStateBackend().getKeys(CustomerScenariosFunction.PENDING_AS_LIST,
                VoidNamespace.INSTANCE)) {
            if (keys.findAny().isEmpty()) {
                ((CustomerScenariosFunction) userFunction).pendingAsListIsEmpty();
            }
        }
    }
}
