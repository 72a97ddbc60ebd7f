package io.lifecyclemail.common.tokens;

import java.io.Serializable;
import java.util.Locale;

/**
 * The links of one mail: the tracking service's address followed by a path per purpose and a signed
 * token. The paths are defined here only, for the mail that writes them and the service that serves them.
 */
public final class TrackedLinks implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String UNSUBSCRIBE_PATH = "/u/";
    public static final String OPEN_PATH = "/o/";
    public static final String CLICK_PATH = "/c/";

    private final LinkTokens tokens;
    private final String baseUrl;

    public TrackedLinks(LinkTokens tokens, String baseUrl) {
        this.tokens = tokens;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    public String unsubscribe(String sendId, String customerId, String scenarioId) {
        return baseUrl + UNSUBSCRIBE_PATH + tokens.sign(LinkToken.unsubscribe(sendId, customerId, scenarioId));
    }

    public String open(String sendId, String customerId, String scenarioId) {
        return baseUrl + OPEN_PATH + tokens.sign(LinkToken.open(sendId, customerId, scenarioId));
    }

    /** A tracked link to {@code url}; links that are not http(s) (mailto:, tel:) stay as they are. */
    public String click(String sendId, String customerId, String scenarioId, String url) {
        if (url == null || !isWebUrl(url)) {
            return url;
        }
        return baseUrl + CLICK_PATH + tokens.sign(LinkToken.click(sendId, customerId, scenarioId, url));
    }

    public static boolean isWebUrl(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        return (lower.startsWith("https://") || lower.startsWith("http://")) && url.chars().noneMatch(c -> c < 0x21);
    }
}
