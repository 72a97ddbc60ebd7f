package io.lifecyclemail.decision;

import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.state.StockOut;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.RankStanding;
import io.lifecyclemail.state.RfmSeed;
import io.lifecyclemail.state.ScenarioTrigger;
import java.util.Comparator;

/** What the decision job needs to know about any customer input: its time, id and replay order. */
public final class CustomerInputs {
    private CustomerInputs() {}

    /**
     * Event-time order, then profile before click before order at the same millisecond (a consent
     * change applies to what happens at that instant, a cart change counts before a purchase), then
     * event id, so that every replay applies events in the same order.
     */
    public static final Comparator<CustomerInput> EVENT_TIME_ORDER = Comparator
            .comparingLong(CustomerInputs::eventTime)
            .thenComparingInt(CustomerInputs::rank)
            .thenComparing(CustomerInputs::eventId);

    public static long eventTime(CustomerInput input) {
        Object event = input.getEvent();
        if (event instanceof ClickstreamEvent click) {
            return click.getEventTime().toEpochMilli();
        } else if (event instanceof OrderEvent order) {
            return order.getEventTime().toEpochMilli();
        } else if (event instanceof CustomerProfile profile) {
            return profile.getEventTime().toEpochMilli();
        } else if (event instanceof ScenarioTrigger trigger) {
            return trigger.getEventTime();
        } else if (event instanceof RankStanding standing) {
            return standing.getTime();
        } else if (event instanceof RfmSeed seed) {
            return seed.getAsOf();
        } else if (event instanceof EngagementEvent engagement) {
            return engagement.getEventTime().toEpochMilli();
        } else if (event instanceof DeliveryResult result) {
            return result.getResultTime().toEpochMilli();
        } else if (event instanceof StockOut stockOut) {
            return stockOut.getEventTime();
        }
        throw new IllegalArgumentException("not a customer input: " + event);
    }

    public static String customerId(CustomerInput input) {
        Object event = input.getEvent();
        if (event instanceof ClickstreamEvent click) {
            return click.getCustomerId();
        } else if (event instanceof OrderEvent order) {
            return order.getCustomerId();
        } else if (event instanceof ScenarioTrigger trigger) {
            return trigger.getCustomerId();
        } else if (event instanceof RankStanding standing) {
            return standing.getCustomerId();
        } else if (event instanceof RfmSeed seed) {
            return seed.getCustomerId();
        } else if (event instanceof EngagementEvent engagement) {
            return engagement.getCustomerId();
        } else if (event instanceof DeliveryResult result) {
            return result.getCustomerId();
        } else if (event instanceof StockOut stockOut) {
            return stockOut.getCustomerId();
        }
        return ((CustomerProfile) event).getCustomerId();
    }

    public static String eventId(CustomerInput input) {
        Object event = input.getEvent();
        if (event instanceof ClickstreamEvent click) {
            return click.getEventId();
        } else if (event instanceof OrderEvent order) {
            return order.getEventId();
        } else if (event instanceof ScenarioTrigger trigger) {
            // one outside event (a restock) fires several scenarios: each is its own input
            return trigger.getScenarioId() + "/" + trigger.getTriggerEventId();
        } else if (event instanceof RankStanding standing) {
            return "rank/" + standing.getTime() + "/" + standing.getRank() + "/" + standing.getRecencyScore()
                    + standing.getFrequencyScore() + standing.getMonetaryScore();
        } else if (event instanceof RfmSeed seed) {
            return "seed/" + seed.getAsOf();
        } else if (event instanceof EngagementEvent engagement) {
            return engagement.getEventId();
        } else if (event instanceof DeliveryResult result) {
            return "delivery/" + result.getSendId() + "/" + result.getStatus();
        } else if (event instanceof StockOut stockOut) {
            return "stock-out/" + stockOut.getEventId();
        }
        return ((CustomerProfile) event).getEventId();
    }

    /**
     * Whether the input is made once by a stage of the job on a change of that stage's own state: a
     * restock notice or stock-out (on a change of a product's stock level, a stale or repeated stock
     * event changing nothing), a rank standing or rank change (on a change of the customer's rank).
     * A shop event written twice cannot make it again, and a restore replays it only together with
     * the state that made it; so its id need not be remembered to recognise a copy. A Sequence match
     * (a trigger with its first event's time) is not: CEP may match a repeated event again.
     */
    public static boolean comesOnce(CustomerInput input) {
        Object event = input.getEvent();
        return event instanceof StockOut || event instanceof RankStanding
                || event instanceof ScenarioTrigger trigger && trigger.getFirstEventTime() == null;
    }

    /** Which input the event came from, in words. */
    public static String source(CustomerInput input) {
        Object event = input.getEvent();
        return event instanceof CustomerProfile ? "profile" : event instanceof ClickstreamEvent ? "clickstream"
                : event instanceof OrderEvent ? "order" : event instanceof RankStanding ? "rank"
                : event instanceof RfmSeed ? "rfm-seed" : event instanceof EngagementEvent ? "engagement"
                : event instanceof DeliveryResult ? "delivery-result" : event instanceof StockOut ? "stock-out"
                : "scenario-trigger";
    }

    /** An unsubscribe, complaint or bounce: it must take effect however late it comes. */
    public static boolean isSuppression(CustomerInput input) {
        Object event = input.getEvent();
        return event instanceof EngagementEvent engagement
                && io.lifecyclemail.decision.govern.Governor.suppressionOf(engagement) != null
                || event instanceof DeliveryResult result && io.lifecyclemail.decision.govern.Governor.suppressionOf(result) != null;
    }

    private static int rank(CustomerInput input) {
        Object event = input.getEvent();
        // a seed comes first (orders at its instant add to it); a rank before the triggers it may have caused;
        // a trigger from outside counts after the customer's own events at that instant
        // engagement and delivery results count with the profile: a suppression applies to what happens at its instant
        return event instanceof RfmSeed ? -1 : event instanceof CustomerProfile || event instanceof EngagementEvent
                || event instanceof DeliveryResult ? 0 : event instanceof ClickstreamEvent ? 1
                : event instanceof OrderEvent ? 2 : event instanceof RankStanding ? 3 : 4;
    }
}
