package io.lifecyclemail.common.tokens;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks the tokens in unsubscribe, open and click links: {@code payload.signature}, both
 * base64url, the signature an HMAC-SHA256 over the payload with the shop's secret key. Anyone can
 * read a token (it holds ids and a URL the recipient already has); nobody without the key can make
 * or change one, so a forged unsubscribe or a redirect to a URL the mail never carried is refused.
 * Thread-safe.
 */
public final class LinkTokens implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String ALGORITHM = "HmacSHA256";
    private static final char VERSION = '1';
    private static final char SEPARATOR = '\n';
    /** Shorter keys make forgeries cheaper; 32 bytes is what HMAC-SHA256 is built for. */
    public static final int MIN_KEY_BYTES = 32;

    private final byte[] key;
    /** Mac.getInstance and init cost more than the MAC itself; a mail signs five or more links. */
    private transient ThreadLocal<Mac> macs;

    public LinkTokens(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the link token key needs at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = key.clone();
    }

    /**
     * The key from a file (the way Kubernetes mounts a secret) when {@code file} is set, else from the
     * environment variable {@code envVariable}; never from job arguments, so it stays out of logs.
     */
    public static LinkTokens fromSecret(String file, String envVariable) {
        String secret;
        String where;
        if (file != null && !file.isBlank()) {
            where = "file " + file;
            try {
                secret = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the link token key from " + where, e);
            }
        } else {
            where = "environment variable " + envVariable;
            secret = System.getenv(envVariable);
            if (secret == null) {
                throw new IllegalStateException("the link token key is not set: put at least " + MIN_KEY_BYTES
                        + " random bytes (e.g. `openssl rand -base64 48`) in " + where + " or name a file with --tokens.secret-file");
            }
        }
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the link token key in " + where + " has " + bytes.length
                    + " bytes; it needs at least " + MIN_KEY_BYTES);
        }
        return new LinkTokens(bytes);
    }

    public String sign(LinkToken token) {
        StringBuilder payload = new StringBuilder().append(VERSION).append(token.purpose().code).append(SEPARATOR)
                .append(token.sendId()).append(SEPARATOR).append(token.customerId()).append(SEPARATOR)
                .append(token.scenarioId());
        if (token.url() != null) {
            payload.append(SEPARATOR).append(token.url());
        }
        byte[] bytes = payload.toString().getBytes(StandardCharsets.UTF_8);
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        return base64.encodeToString(bytes) + "." + base64.encodeToString(mac(bytes));
    }

    /** The token, when it is well-formed, signed with our key and of the expected purpose; empty otherwise. */
    public Optional<LinkToken> verify(String signed, LinkToken.Purpose expected) {
        if (signed == null || signed.length() > 8192) {
            return Optional.empty();
        }
        int dot = signed.indexOf('.');
        if (dot <= 0 || dot != signed.lastIndexOf('.')) {
            return Optional.empty();
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = Base64.getUrlDecoder().decode(signed.substring(0, dot));
            signature = Base64.getUrlDecoder().decode(signed.substring(dot + 1));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        // constant time, so the signature cannot be guessed byte by byte from response times
        if (!MessageDigest.isEqual(mac(payload), signature)) {
            return Optional.empty();
        }
        String[] fields = new String(payload, StandardCharsets.UTF_8).split(String.valueOf(SEPARATOR), -1);
        if (fields[0].length() != 2 || fields[0].charAt(0) != VERSION) {
            return Optional.empty();
        }
        LinkToken.Purpose purpose = LinkToken.Purpose.of(fields[0].charAt(1));
        if (purpose != expected || fields.length != (purpose == LinkToken.Purpose.CLICK ? 5 : 4)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LinkToken(purpose, fields[1], fields[2], fields[3],
                    purpose == LinkToken.Purpose.CLICK ? fields[4] : null));
        } catch (IllegalArgumentException incomplete) {
            return Optional.empty();
        }
    }

    private byte[] mac(byte[] payload) {
        ThreadLocal<Mac> local = macs;
        if (local == null) {
            local = ThreadLocal.withInitial(this::newMac);
            macs = local;
        }
        return local.get().doFinal(payload);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
