package io.lifecyclemail.decision.flink;

import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.state.CustomerInput;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.VoidNamespace;

/**
 * Runs a {@link CustomerScenariosFunction} as an {@link ArrivalsOperator}: inputs wait in memory until
 * the watermark reaches them, and go into the customers' agendas before a checkpoint.
 *
 * <p>Once at start, it also has the function take waiting inputs of the restored state that its
 * customers' agendas do not list yet (as versions before the agenda kept them) into the agendas. Only
 * the keys with inputs in the map by instant or the older list are visited: customers with more waiting
 * inputs than an agenda holds, and after an upgrade those with inputs ahead of the watermark.
 */
public final class CustomerScenariosOperator extends ArrivalsOperator<CustomerInput, Decision> {
    private static final long serialVersionUID = 1L;

    public CustomerScenariosOperator(CustomerScenariosFunction function) {
        this(function, DEFAULT_ARRIVALS_IN_MEMORY);
    }

    /** @param arrivalsInMemory how many inputs may wait in memory before they go to state */
    public CustomerScenariosOperator(CustomerScenariosFunction function, int arrivalsInMemory) {
        super(function, arrivalsInMemory);
    }

    @Override
    public void open() throws Exception {
        super.open();
        Set<String> keys = new LinkedHashSet<>(); // read before any is changed
        for (String state : new String[] {CustomerScenariosFunction.PENDING_AS_LIST,
                CustomerScenariosFunction.PENDING_BY_INSTANT}) {
            try (Stream<String> stateKeys = this.<String>getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
                stateKeys.forEach(keys::add);
            }
        }
        for (String key : keys) {
            setCurrentKey(key);
            ((CustomerScenariosFunction) userFunction).adoptWaitingInputs();
        }
    }
}
