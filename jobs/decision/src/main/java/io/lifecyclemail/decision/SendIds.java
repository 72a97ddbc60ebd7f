package io.lifecyclemail.decision;

import java.nio.ByteBuffer;
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
        return HexFormat.of().formatHex(digest(scenarioId, Integer.toString(scenarioVersion), customerId,
                triggerEventId, step), 0, 16);
    }

    /**
     * The 16 bytes a send id of {@link #of} stands for: half the size of its text, for state that keeps
     * many (the governor's touches).
     *
     * @throws IllegalArgumentException for an id {@link #of} did not make
     */
    public static ByteBuffer toBytes(String sendId) {
        if (sendId.length() != 32) {
            throw new IllegalArgumentException("not a send id of SendIds (32 hex characters): " + sendId);
        }
        return ByteBuffer.wrap(HexFormat.of().parseHex(sendId));
    }

    /**
     * The send id {@link #toBytes} made these bytes of; bytes of another length are the id's text
     * (as state written before {@link #toBytes} kept it).
     */
    public static String fromBytes(ByteBuffer bytes) {
        ByteBuffer view = bytes.duplicate();
        byte[] content = new byte[view.remaining()];
        view.get(content);
        return content.length == 16 ? HexFormat.of().formatHex(content) : new String(content, StandardCharsets.UTF_8);
    }

    /**
     * A stable share in [0, 1) for these parts: the same in every JVM, run and parallelism, and
     * uniform, so that "share below 10 %" picks 10 % of customers (holdouts, control group, variants).
     */
    public static double unitShare(String... parts) {
        byte[] digest = digest(parts);
        long bits = 0;
        for (int i = 0; i < 7; i++) {
            bits = (bits << 8) | (digest[i] & 0xff);
        }
        return (bits >>> 3) / (double) (1L << 53); // the top 53 bits: exactly representable
    }

    /** SHA-256 of the parts, each length-prefixed so that ("ab","c") and ("a","bc") differ. */
    static byte[] digest(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                sha.update((byte) (bytes.length >>> 24));
                sha.update((byte) (bytes.length >>> 16));
                sha.update((byte) (bytes.length >>> 8));
                sha.update((byte) bytes.length);
                sha.update(bytes);
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
