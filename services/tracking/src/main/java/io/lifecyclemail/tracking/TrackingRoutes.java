package io.lifecyclemail.tracking;

import io.lifecyclemail.common.tokens.LinkToken;
import io.lifecyclemail.common.tokens.LinkTokens;
import io.lifecyclemail.common.tokens.TrackedLinks;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.EngagementType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the tracking service answers, free of HTTP plumbing: a request (method, path, preferred
 * languages) becomes a response and, when a verified token asks for it, an engagement event to
 * record before the response goes out. Forged, tampered or mistyped tokens get a 404 and record nothing.
 */
public final class TrackingRoutes {
    /** A 1x1 transparent GIF. */
    static final byte[] PIXEL = Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    /** The answer to a request, and the event to record first (null: nothing). */
    public record Outcome(int status, String contentType, byte[] body, Map<String, String> headers, EngagementEvent record) {}

    private final LinkTokens tokens;

    public TrackingRoutes(LinkTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * @param acceptLanguage the request's Accept-Language header, for the unsubscribe pages (may be null)
     */
    public Outcome handle(String method, String path, String acceptLanguage, Instant now) {
        if (path.equals("/health")) {
            return text(200, "ok");
        }
        Page page = Page.of(acceptLanguage);
        if (path.startsWith(TrackedLinks.UNSUBSCRIBE_PATH)) {
            Optional<LinkToken> token = tokens.verify(rest(path, TrackedLinks.UNSUBSCRIBE_PATH), LinkToken.Purpose.UNSUBSCRIBE);
            if (token.isEmpty()) {
                return html(404, page.invalid());
            }
            if (method.equals("POST")) {
                // RFC 8058: the POST alone unsubscribes, with no further step; the same id for every repeat
                return new Outcome(200, "text/html; charset=utf-8", bytes(page.done()), PAGE_HEADERS,
                        event(token.get(), EngagementType.UNSUBSCRIBED, "unsubscribe-" + token.get().sendId(), now));
            }
            if (method.equals("GET") || method.equals("HEAD")) {
                // a GET never unsubscribes: mail scanners follow links; the page asks for the click
                return html(200, page.confirm());
            }
            return text(405, "method not allowed");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return text(405, "method not allowed");
        }
        if (path.startsWith(TrackedLinks.OPEN_PATH)) {
            Optional<LinkToken> token = tokens.verify(rest(path, TrackedLinks.OPEN_PATH), LinkToken.Purpose.OPEN);
            // the pixel is served either way, so a broken token never shows as a broken image
            return new Outcome(200, "image/gif", PIXEL, Map.of("Cache-Control", "no-store, private"),
                    token.map(valid -> event(valid, EngagementType.OPENED, "open-" + UUID.randomUUID(), now)).orElse(null));
        }
        if (path.startsWith(TrackedLinks.CLICK_PATH)) {
            Optional<LinkToken> token = tokens.verify(rest(path, TrackedLinks.CLICK_PATH), LinkToken.Purpose.CLICK);
            if (token.isEmpty() || !TrackedLinks.isWebUrl(token.get().url())) {
                return html(404, page.invalid());
            }
            EngagementEvent click = event(token.get(), EngagementType.CLICKED, "click-" + UUID.randomUUID(), now);
            click.setUrl(token.get().url());
            return new Outcome(302, "text/plain; charset=utf-8", new byte[0],
                    Map.of("Location", token.get().url(), "Cache-Control", "no-store", "Referrer-Policy", "no-referrer"),
                    click);
        }
        return text(404, "not found");
    }

    private static String rest(String path, String prefix) {
        String token = path.substring(prefix.length());
        int query = token.indexOf('?');
        return query < 0 ? token : token.substring(0, query);
    }

    private static EngagementEvent event(LinkToken token, EngagementType type, String eventId, Instant now) {
        return EngagementEvent.newBuilder().setEventId(eventId).setEventTime(now).setCustomerId(token.customerId())
                .setSendId(token.sendId()).setScenarioId(token.scenarioId()).setType(type).build();
    }

    private static final Map<String, String> PAGE_HEADERS = Map.of("Cache-Control", "no-store",
            "Referrer-Policy", "no-referrer", "X-Content-Type-Options", "nosniff",
            "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");

    private static Outcome html(int status, String page) {
        return new Outcome(status, "text/html; charset=utf-8", bytes(page), PAGE_HEADERS, null);
    }

    private static Outcome text(int status, String body) {
        return new Outcome(status, "text/plain; charset=utf-8", bytes(body), Map.of("Cache-Control", "no-store"), null);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The unsubscribe pages in the reader's language (the token does not say which; the browser does). */
    record Page(String lang, String title, String question, String button, String doneText, String invalidText) {
        static final Map<String, Page> PAGES = Map.of(
                "en", new Page("en", "Unsubscribe", "Stop receiving these mails?", "Unsubscribe",
                        "You are unsubscribed. You will receive no more of these mails.",
                        "This link is not valid. Please use the link from your most recent mail."),
                "ja", new Page("ja", "配信停止", "このメールの配信を停止しますか？", "配信を停止する",
                        "配信を停止しました。今後このメールはお送りしません。",
                        "このリンクは無効です。最新のメールのリンクをご利用ください。"),
                "zh-CN", new Page("zh-CN", "退订", "不再接收这些邮件？", "退订",
                        "您已成功退订，今后将不再收到这些邮件。", "此链接无效，请使用最新邮件中的链接。"),
                "ko", new Page("ko", "수신 거부", "이 메일 수신을 중단하시겠습니까?", "수신 거부",
                        "수신 거부되었습니다. 앞으로 이 메일을 보내지 않습니다.", "유효하지 않은 링크입니다. 최근 메일의 링크를 이용해 주세요."));

        static Page of(String acceptLanguage) {
            if (acceptLanguage != null) {
                for (Locale.LanguageRange range : parse(acceptLanguage)) {
                    String language = range.getRange().split("-")[0].toLowerCase(Locale.ROOT);
                    Page page = PAGES.get(language.equals("zh") ? "zh-CN" : language);
                    if (page != null) {
                        return page;
                    }
                }
            }
            return PAGES.get("en");
        }

        private static java.util.List<Locale.LanguageRange> parse(String header) {
            try {
                return Locale.LanguageRange.parse(header);
            } catch (IllegalArgumentException malformed) {
                return java.util.List.of();
            }
        }

        String confirm() {
            // posts to the same address: the form's body is the one-click body of RFC 8058
            return frame("<p>" + question + "</p><form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\""
                    + " value=\"One-Click\"><button type=\"submit\">" + button + "</button></form>");
        }

        String done() {
            return frame("<p>" + doneText + "</p>");
        }

        String invalid() {
            return frame("<p>" + invalidText + "</p>");
        }

        private String frame(String body) {
            return "<!DOCTYPE html><html lang=\"" + lang + "\"><head><meta charset=\"utf-8\">"
                    + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + title
                    + "</title><style>body{font-family:sans-serif;max-width:480px;margin:48px auto;padding:0 16px;"
                    + "color:#222}button{font-size:16px;padding:10px 20px}</style></head><body>" + body + "</body></html>";
        }
    }
}
