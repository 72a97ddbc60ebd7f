package io.lifecyclemail.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.common.tokens.LinkTokens;
import io.lifecyclemail.common.tokens.TrackedLinks;
import io.lifecyclemail.schema.EngagementType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TrackingRoutesTest {
    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    final LinkTokens tokens = new LinkTokens("a-test-key-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8));
    final TrackedLinks links = new TrackedLinks(tokens, "https://t.example.com");
    final TrackingRoutes routes = new TrackingRoutes(tokens);

    static String path(String url) {
        return url.substring("https://t.example.com".length());
    }

    @Test
    void oneClickPostUnsubscribesAndGetOnlyAsks() {
        String unsubscribe = path(links.unsubscribe("send-1", "cust-1", "cart-abandonment"));
        TrackingRoutes.Outcome page = routes.handle("GET", unsubscribe, "ja,en;q=0.8", NOW);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.record()).as("a GET never unsubscribes: scanners follow links").isNull();
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).contains("lang=\"ja\"", "method=\"post\"", "One-Click");

        TrackingRoutes.Outcome done = routes.handle("POST", unsubscribe, null, NOW);
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.record()).satisfies(event -> {
            assertThat(event.getType()).isEqualTo(EngagementType.UNSUBSCRIBED);
            assertThat(event.getCustomerId()).isEqualTo("cust-1");
            assertThat(event.getScenarioId()).isEqualTo("cart-abandonment");
            assertThat(event.getSendId()).isEqualTo("send-1");
            assertThat(event.getEventTime()).isEqualTo(NOW);
        });
        assertThat(routes.handle("POST", unsubscribe, null, NOW).record().getEventId())
                .as("a repeated click is the same event").isEqualTo(done.record().getEventId());
    }

    @Test
    void clickRedirectsOnlyToTheSignedUrl() {
        String click = path(links.click("send-1", "cust-1", "restock", "https://shop.example.com/p/42?ref=mail"));
        TrackingRoutes.Outcome outcome = routes.handle("GET", click, null, NOW);
        assertThat(outcome.status()).isEqualTo(302);
        assertThat(outcome.headers()).containsEntry("Location", "https://shop.example.com/p/42?ref=mail");
        assertThat(outcome.record().getType()).isEqualTo(EngagementType.CLICKED);
        assertThat(outcome.record().getUrl()).isEqualTo("https://shop.example.com/p/42?ref=mail");
        // the target cannot be swapped through a query parameter or a changed token
        assertThat(routes.handle("GET", click + "?url=https://evil.example.net", null, NOW).headers())
                .containsEntry("Location", "https://shop.example.com/p/42?ref=mail");
        String tampered = click.substring(0, click.length() - 2) + (click.endsWith("A") ? "BB" : "AA");
        assertThat(routes.handle("GET", tampered, null, NOW)).satisfies(refused -> {
            assertThat(refused.status()).isEqualTo(404);
            assertThat(refused.record()).isNull();
            assertThat(refused.headers()).doesNotContainKey("Location");
        });
    }

    @Test
    void forgedAndMisusedTokensRecordNothing() {
        String open = path(links.open("send-1", "cust-1", "restock"));
        // an open token is not an unsubscribe token, nor a click token
        assertThat(routes.handle("POST", open.replace("/o/", "/u/"), null, NOW).status()).isEqualTo(404);
        assertThat(routes.handle("GET", open.replace("/o/", "/c/"), null, NOW).status()).isEqualTo(404);
        assertThat(routes.handle("POST", "/u/not-a-token", null, NOW)).satisfies(forged -> {
            assertThat(forged.status()).isEqualTo(404);
            assertThat(forged.record()).isNull();
        });
        LinkTokens otherKey = new LinkTokens("another-key-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8));
        String foreign = path(new TrackedLinks(otherKey, "https://t.example.com").unsubscribe("s", "victim", "x"));
        assertThat(routes.handle("POST", foreign, null, NOW).record()).isNull();
    }

    @Test
    void thePixelIsServedAndAnOpenRecordedOnlyForAValidToken() {
        TrackingRoutes.Outcome open = routes.handle("GET", path(links.open("send-1", "cust-1", "restock")), null, NOW);
        assertThat(open.contentType()).isEqualTo("image/gif");
        assertThat(open.body()).isEqualTo(TrackingRoutes.PIXEL);
        assertThat(open.record().getType()).isEqualTo(EngagementType.OPENED);
        TrackingRoutes.Outcome broken = routes.handle("GET", "/o/broken", null, NOW);
        assertThat(broken.contentType()).isEqualTo("image/gif");
        assertThat(broken.record()).isNull();
    }

    @Test
    void otherMethodsAndPathsAreRefused() {
        assertThat(routes.handle("DELETE", path(links.unsubscribe("s", "c", "x")), null, NOW).status()).isEqualTo(405);
        assertThat(routes.handle("POST", path(links.open("s", "c", "x")), null, NOW).status()).isEqualTo(405);
        assertThat(routes.handle("GET", "/admin", null, NOW).status()).isEqualTo(404);
        assertThat(routes.handle("GET", "/health", null, NOW).status()).isEqualTo(200);
    }
}
