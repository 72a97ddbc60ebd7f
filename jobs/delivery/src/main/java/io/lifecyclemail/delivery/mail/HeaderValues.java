package io.lifecyclemail.delivery.mail;

/**
 * Jakarta Mail passes CR and LF through in display names and header values, so a name like
 * "Bob\r\nBcc: everyone@example.com" would add a header. Every value that reaches a header is checked here.
 */
public final class HeaderValues {
    private HeaderValues() {}

    public static String requireSingleLine(String header, String value) {
        if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
            throw new UnsafeHeaderException(header + " contains a line break; refusing to send (header injection)");
        }
        return value;
    }

    /** A value that must not reach a mail header. */
    public static final class UnsafeHeaderException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnsafeHeaderException(String message) {
            super(message);
        }
    }
}
