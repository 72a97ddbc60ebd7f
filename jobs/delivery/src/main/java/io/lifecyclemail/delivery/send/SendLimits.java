package io.lifecyclemail.delivery.send;

import io.lifecyclemail.common.options.Pairs;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How fast and how wide one sender may go. Receiving providers throttle or junk a sender that goes
 * faster than they like, each by its own measure, so the rate is limited per recipient domain as well
 * as overall.
 *
 * @param perSecond mails per second over all domains; 0 = no limit
 * @param perDomainPerSecond mails per second to one domain unless {@code domainOverrides} names it; 0 = no limit
 * @param domainOverrides per-domain rates, e.g. gmail.com → 20
 * @param perDomainConnections mails in flight to one domain at once: a slow domain holds at most this
 *     many of the connections, the others keep serving the rest
 * @param perDomainQueue mails of one domain waiting in memory; more wait in keyed state
 * @param totalQueue mails waiting in memory over all domains
 */
public record SendLimits(double perSecond, double perDomainPerSecond, Map<String, Double> domainOverrides,
                         int perDomainConnections, int perDomainQueue, int totalQueue) implements Serializable {
    public SendLimits {
        if (perSecond < 0 || perDomainPerSecond < 0) {
            throw new IllegalArgumentException("a rate limit cannot be negative (0 = no limit)");
        }
        if (perDomainConnections < 1 || perDomainQueue < 1 || totalQueue < 1) {
            throw new IllegalArgumentException("connections and queues need at least 1");
        }
        domainOverrides = Map.copyOf(domainOverrides);
    }

    public static SendLimits unlimited() {
        return new SendLimits(0, 0, Map.of(), Integer.MAX_VALUE / 2, 10_000, 10_000);
    }

    /** This subtask's share when {@code parallelism} subtasks send side by side. */
    public SendLimits shareOf(int parallelism) {
        Map<String, Double> overrides = new LinkedHashMap<>();
        domainOverrides.forEach((domain, rate) -> overrides.put(domain, rate / parallelism));
        return new SendLimits(perSecond / parallelism, perDomainPerSecond / parallelism, overrides,
                perDomainConnections, perDomainQueue, totalQueue);
    }

    public double rateOf(String domain) {
        return domainOverrides.getOrDefault(domain, perDomainPerSecond);
    }

    /** "gmail.com=20, yahoo.co.jp=10" as a map; blank = none. */
    public static Map<String, Double> parseOverrides(String spec) {
        String shape = "domain=mails-per-second, e.g. gmail.com=20";
        Map<String, Double> parsed = new LinkedHashMap<>();
        Pairs.parse(spec, shape).forEach((domain, rate) -> {
            double perSecond;
            try {
                perSecond = Double.parseDouble(rate);
            } catch (NumberFormatException e) {
                perSecond = -1;
            }
            if (!(perSecond >= 0)) {
                throw new IllegalArgumentException("'" + domain + "=" + rate + "' is not " + shape);
            }
            parsed.put(domain.toLowerCase(java.util.Locale.ROOT), perSecond);
        });
        return parsed;
    }
}
