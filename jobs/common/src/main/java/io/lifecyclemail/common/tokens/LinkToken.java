package io.lifecyclemail.common.tokens;

/**
 * What a link in a mail stands for. The tracking service trusts only what is inside a token whose
 * signature checks out: who (customer), which mail (send id, scenario) and, for a click, where to.
 *
 * @param url the link's target for {@link Purpose#CLICK}; null otherwise
 */
public record LinkToken(Purpose purpose, String sendId, String customerId, String scenarioId, String url) {
    public enum Purpose {
        /** The one-click unsubscribe (RFC 8058) and the unsubscribe page. */
        UNSUBSCRIBE('u'),
        /** The open pixel. */
        OPEN('o'),
        /** A tracked link that redirects to {@link LinkToken#url()}. */
        CLICK('c');

        final char code;

        Purpose(char code) {
            this.code = code;
        }

        static Purpose of(char code) {
            for (Purpose purpose : values()) {
                if (purpose.code == code) {
                    return purpose;
                }
            }
            return null;
        }
    }

    public LinkToken {
        require(purpose != null, "purpose");
        require(sendId != null && !sendId.isEmpty(), "send id");
        require(customerId != null && !customerId.isEmpty(), "customer id");
        require(scenarioId != null && !scenarioId.isEmpty(), "scenario id");
        require((purpose == Purpose.CLICK) == (url != null), "a url, on click tokens only");
        // the signed form separates fields with line breaks; a field holding one would be ambiguous
        require(!(sendId + customerId + scenarioId + (url == null ? "" : url)).contains("\n"), "fields without line breaks");
    }

    public static LinkToken unsubscribe(String sendId, String customerId, String scenarioId) {
        return new LinkToken(Purpose.UNSUBSCRIBE, sendId, customerId, scenarioId, null);
    }

    public static LinkToken open(String sendId, String customerId, String scenarioId) {
        return new LinkToken(Purpose.OPEN, sendId, customerId, scenarioId, null);
    }

    public static LinkToken click(String sendId, String customerId, String scenarioId, String url) {
        return new LinkToken(Purpose.CLICK, sendId, customerId, scenarioId, url);
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalArgumentException("a link token needs " + what);
        }
    }
}
