package io.lifecyclemail.common.tokens;

import io.lifecyclemail.common.options.Option;
import io.lifecyclemail.common.options.Settings;
import java.util.List;

/** Settings shared by the delivery job (which signs links) and the tracking service (which checks them). */
public final class TokenOptions {
    private TokenOptions() {}

    public static final Option<String> TRACKING_BASE_URL = Option.string("tracking.base-url",
            "http://localhost:8088", "Public address of the tracking service; unsubscribe, open and click links "
                    + "start with it. Use https in production (RFC 8058 one-click unsubscribe requires it).");
    public static final Option<String> SECRET_FILE = Option.string("tokens.secret-file", "",
            "File holding the key that signs link tokens (e.g. a mounted Kubernetes secret); empty = read "
                    + "the environment variable named by tokens.secret-env.");
    public static final Option<String> SECRET_ENV = Option.string("tokens.secret-env", "LIFECYCLE_TOKEN_SECRET",
            "Environment variable holding the key that signs link tokens (at least 32 bytes).");

    public static List<Option<?>> all() {
        return List.of(TRACKING_BASE_URL, SECRET_FILE, SECRET_ENV);
    }

    public static LinkTokens tokens(Settings settings) {
        return LinkTokens.fromSecret(settings.get(SECRET_FILE), settings.get(SECRET_ENV));
    }

    /** The base URL without a trailing slash. */
    public static String baseUrl(Settings settings) {
        String base = settings.get(TRACKING_BASE_URL).strip();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
