package io.lifecyclemail.decision.flink;

import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.state.CustomerInput;

/**
 * Runs a {@link CustomerScenariosFunction} as an {@link ArrivalsOperator}: inputs wait in memory until
 * the watermark reaches them, and go into the customers' agendas before a checkpoint.
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
}
