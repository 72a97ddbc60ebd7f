package io.lifecyclemail.delivery.mail;

/** What the SMTP server said about one mail. */
public record SendOutcome(Kind kind, Integer smtpCode, String detail) {
    public enum Kind {
        /** The server took responsibility for the mail. */
        ACCEPTED,
        /** Worth trying again later: 4xx replies, connection failures, timeouts. */
        TEMPORARY_FAILURE,
        /** Will not work however often it is tried: 5xx replies, a mail that cannot be built. */
        PERMANENT_FAILURE
    }

    public static SendOutcome accepted(String detail) {
        return new SendOutcome(Kind.ACCEPTED, 250, detail);
    }

    public static SendOutcome temporary(Integer code, String detail) {
        return new SendOutcome(Kind.TEMPORARY_FAILURE, code, detail);
    }

    public static SendOutcome permanent(Integer code, String detail) {
        return new SendOutcome(Kind.PERMANENT_FAILURE, code, detail);
    }
}
