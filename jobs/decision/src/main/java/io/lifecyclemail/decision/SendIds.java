package io.lifecyclemail.decision;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic send ids: the same decision (scenario, version, customer, triggering event, step)
 * always gets the same id, so a replayed or restarted job produces the same commands and the
 * delivery job can recognise repeats.
 */
public final class SendIds {
    private SendIds() {}

    public static String of(String scenarioId, int scenarioVersion, String customerId, String triggerEventId,
                            String step) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {scenarioId, Integer.toString(scenarioVersion), customerId, triggerEventId, step}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                // length-prefixed so that ("ab","c") and ("a","bc") differ
                sha.update((byte) (bytes.length >>> 24));
                sha.update((byte) (bytes.length >>> 16));
                sha.update((byte) (bytes.length >>> 8));
                sha.update((byte) bytes.length);
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
