package io.lifecyclemail.decision.browse;

import io.lifecyclemail.decision.detect.StateValues;
import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.Detector;
import io.lifecyclemail.decision.detect.Waits;
import io.lifecyclemail.decision.scenario.BrowseAbandonmentScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.BrowseState;
import io.lifecyclemail.state.ViewedProduct;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Browse abandonment, free of Flink. A session is the customer's activity (page and product views,
 * logins) with no gap longer than the longest wait; a cart addition or purchase in it means it was
 * not abandoned browsing. Each scenario fires when the customer has been inactive for its wait, if
 * the session had enough product views and no conversion. The state ends with the session.
 */
public final class BrowseAbandonment implements Detector<BrowseState> {
    private static final long serialVersionUID = 1L;

    /** Most views first, then the most recently viewed: the order in which a mail lists products. */
    private static final Comparator<ViewedProduct> MAIL_ORDER = Comparator.comparingInt(ViewedProduct::getViews).reversed()
            .thenComparing(Comparator.comparingLong(ViewedProduct::getLastViewed).reversed());

    private final Waits<BrowseAbandonmentScenario> waits;
    /** How many products any of the mails lists: only these keep their details (name, price, links). */
    private final int listed;

    public BrowseAbandonment(List<BrowseAbandonmentScenario> scenarios) {
        this.waits = new Waits<>(scenarios);
        this.listed = waits.scenarios().stream().mapToInt(BrowseAbandonmentScenario::maxItems).max().orElse(0);
    }

    @Override
    public String stateName() {
        return "browse";
    }

    @Override
    public Class<BrowseState> stateClass() {
        return BrowseState.class;
    }

    @Override
    public boolean accepts(Object event) {
        if (event instanceof ClickstreamEvent click) {
            return switch (click.getType()) {
                case PRODUCT_VIEW, PAGE_VIEW, LOGIN, CART_ADD -> true;
                default -> false;
            };
        }
        return event instanceof OrderEvent order && order.getType() == OrderEventType.PLACED;
    }

    @Override
    public BrowseState apply(BrowseState state, Object event) {
        if (event instanceof OrderEvent order) {
            return converted(order.getEventTime().toEpochMilli(), order.getEventId());
        }
        ClickstreamEvent click = (ClickstreamEvent) event;
        long time = click.getEventTime().toEpochMilli();
        if (click.getType() == ClickType.CART_ADD) {
            return converted(time, click.getEventId());
        }
        if (click.getType() != ClickType.PRODUCT_VIEW || state != null && state.getConverted()) {
            // other activity keeps a session going but does not start one; a converted session only goes on
            return state == null ? null : touched(state, time, click.getEventId());
        }
        BrowseState next = state == null ? new BrowseState(new ArrayList<>(), false, time, click.getEventId(), time)
                : touched(state, time, click.getEventId());
        List<ViewedProduct> viewed = new ArrayList<>(next.getViewed());
        String productId = click.getProduct().getProductId();
        int views = 0;
        for (int i = 0; i < viewed.size(); i++) {
            if (viewed.get(i).getProduct().getProductId().equals(productId)) {
                views = viewed.remove(i).getViews();
                break;
            }
        }
        viewed.add(new ViewedProduct(StateValues.shared(click.getProduct()), views + 1, time));
        next.setViewed(withDetailsOfListedOnly(viewed));
        return next;
    }

    /**
     * Keeps name, price and links only for the products a mail would list now; the others keep
     * their id and counts (the views of the session add up over all of them). A product moves up
     * the list only when it is viewed, and then the view brings its details: so the listed ones
     * always have theirs, and a long session costs a few bytes per product, not a product each.
     */
    private List<ViewedProduct> withDetailsOfListedOnly(List<ViewedProduct> viewed) {
        if (viewed.size() <= listed) {
            return viewed;
        }
        Set<ViewedProduct> shown = Collections.newSetFromMap(new IdentityHashMap<>());
        viewed.stream().sorted(MAIL_ORDER).limit(listed).forEach(shown::add);
        List<ViewedProduct> kept = new ArrayList<>(viewed.size());
        for (ViewedProduct view : viewed) {
            kept.add(shown.contains(view) || isIdOnly(view.getProduct()) ? view
                    : new ViewedProduct(Product.newBuilder().setProductId(view.getProduct().getProductId()).build(),
                            view.getViews(), view.getLastViewed()));
        }
        return kept;
    }

    private static boolean isIdOnly(Product product) {
        return product.getName() == null && product.getCategory() == null && product.getUnitPriceMinor() == null
                && product.getCurrency() == null && product.getImageUrl() == null && product.getUrl() == null;
    }

    private static BrowseState touched(BrowseState state, long time, String eventId) {
        return new BrowseState(state.getViewed(), state.getConverted(), time, eventId, time);
    }

    /**
     * A session with a cart addition or purchase is not mailed, whatever is viewed after: only its end
     * is kept, not its products (most sessions convert, and their products were most of this state).
     */
    private static BrowseState converted(long time, String eventId) {
        return new BrowseState(new ArrayList<>(), true, time, eventId, time);
    }

    @Override
    public List<Candidate> due(String customerId, BrowseState state, long time) {
        List<Candidate> due = new ArrayList<>();
        int productViews = state.getViewed().stream().mapToInt(ViewedProduct::getViews).sum();
        for (BrowseAbandonmentScenario scenario : waits.due(state.getLastActivityTime(), state.getDecidedUpTo(), time)) {
            if (!state.getConverted() && productViews >= scenario.minProductViews()) {
                List<ItemLine> items = mostViewedFirst(state.getViewed(), scenario.maxItems());
                due.add(new Candidate(scenario, customerId, BrowseAbandonmentScenario.STEP, items,
                        state.getLastActivityEventId(), state.getLastActivityTime() + scenario.delay().toMillis(),
                        productViews + " product views, no cart addition or purchase, inactive for "
                                + Durations.format(scenario.delay()), Map.of()));
            }
        }
        state.setDecidedUpTo(Math.max(state.getDecidedUpTo(), time));
        return due;
    }

    @Override
    public BrowseState expire(BrowseState state, long time) {
        return state != null && time >= state.getLastActivityTime() + waits.longestMillis() ? null : state;
    }

    @Override
    public OptionalLong nextWakeUp(BrowseState state) {
        if (state == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(waits.nextWakeUp(state.getLastActivityTime(), state.getDecidedUpTo(), waits.longestMillis()));
    }

    private static List<ItemLine> mostViewedFirst(List<ViewedProduct> viewed, int max) {
        return viewed.stream()
                .sorted(MAIL_ORDER)
                .limit(max)
                .map(view -> new ItemLine(view.getProduct(), 1))
                .toList();
    }
}
