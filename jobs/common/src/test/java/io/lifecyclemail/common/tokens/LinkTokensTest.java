package io.lifecyclemail.common.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkTokensTest {
    static final byte[] KEY = "a-test-key-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8);
    final LinkTokens tokens = new LinkTokens(KEY);

    @Test
    void aSignedTokenVerifiesToWhatWasSigned() {
        LinkToken click = LinkToken.click("send-1", "cust-1", "cart-abandonment", "https://shop.example.com/p/1?a=b&c=d");
        assertThat(tokens.verify(tokens.sign(click), LinkToken.Purpose.CLICK)).contains(click);
        LinkToken unsubscribe = LinkToken.unsubscribe("send-1", "顧客-1", "birthday");
        assertThat(tokens.verify(tokens.sign(unsubscribe), LinkToken.Purpose.UNSUBSCRIBE)).contains(unsubscribe);
    }

    @Test
    void refusesATokenUsedForAnotherPurpose() {
        String open = tokens.sign(LinkToken.open("send-1", "cust-1", "birthday"));
        assertThat(tokens.verify(open, LinkToken.Purpose.UNSUBSCRIBE)).isEmpty();
        assertThat(tokens.verify(open, LinkToken.Purpose.OPEN)).isPresent();
    }

    @Test
    void refusesEveryChangedCharacterAndAnotherKey() {
        String signed = tokens.sign(LinkToken.click("send-1", "cust-1", "restock", "https://shop.example.com/p/1"));
        for (int i = 0; i < signed.length(); i++) {
            char replacement = signed.charAt(i) == 'A' ? 'B' : 'A';
            String tampered = signed.substring(0, i) + replacement + signed.substring(i + 1);
            assertThat(tokens.verify(tampered, LinkToken.Purpose.CLICK)).as("changed at %d", i).isEmpty();
        }
        LinkTokens otherKey = new LinkTokens("another-key-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8));
        assertThat(otherKey.verify(signed, LinkToken.Purpose.CLICK)).isEmpty();
    }

    @Test
    void refusesAPayloadSwappedUnderAValidSignature() {
        String genuine = tokens.sign(LinkToken.click("send-1", "cust-1", "restock", "https://shop.example.com/p/1"));
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "1c\nsend-1\ncust-1\nrestock\nhttps://evil.example.net/".getBytes(StandardCharsets.UTF_8));
        String forged = payload + genuine.substring(genuine.indexOf('.'));
        assertThat(tokens.verify(forged, LinkToken.Purpose.CLICK)).isEmpty();
    }

    @Test
    void refusesGarbage() {
        for (String garbage : new String[] {null, "", ".", "abc", "a.b.c", "!!!.???", "x".repeat(10_000)}) {
            assertThat(tokens.verify(garbage, LinkToken.Purpose.UNSUBSCRIBE)).as(String.valueOf(garbage)).isEmpty();
        }
    }

    @Test
    void refusesShortKeysAndReadsTheKeyFromAFile(@TempDir Path folder) throws Exception {
        assertThatThrownBy(() -> new LinkTokens("short".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("at least 32 bytes");
        Path file = folder.resolve("token-key");
        Files.write(file, KEY);
        String signed = LinkTokens.fromSecret(file.toString(), "UNUSED").sign(LinkToken.open("s", "c", "x"));
        assertThat(tokens.verify(signed, LinkToken.Purpose.OPEN)).isPresent();
        assertThatThrownBy(() -> LinkTokens.fromSecret("", "LIFECYCLE_SURELY_UNSET_VARIABLE"))
                .hasMessageContaining("LIFECYCLE_SURELY_UNSET_VARIABLE");
    }

    @Test
    void refusesFieldsWithLineBreaks() {
        assertThatThrownBy(() -> LinkToken.unsubscribe("s", "c\nUNSUB", "x")).hasMessageContaining("line breaks");
    }
}
