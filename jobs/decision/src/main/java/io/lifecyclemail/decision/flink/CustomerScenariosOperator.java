package io.lifecyclemail.decision.flink;

import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.state.CustomerInput;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs a {@link CustomerScenariosFunction} and, once at start, has it take waiting inputs of the
 * restored state that its customers' agendas do not list yet (as versions before the agenda kept
 * them) into the agendas. Only the keys with inputs in the map by instant or the older list are
 * visited: customers with more waiting inputs than an agenda holds, and after an upgrade those with
 * inputs ahead of the watermark.
 */
public final class CustomerScenariosOperator extends KeyedProcessOperator<String, CustomerInput, Decision> {
    private static final long serialVersionUID = 1L;

    public CustomerScenariosOperator(CustomerScenariosFunction function) {
        super(function);
    }

    @Override
    public void open() throws Exception {
        super.open(); // the function registers its states
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
