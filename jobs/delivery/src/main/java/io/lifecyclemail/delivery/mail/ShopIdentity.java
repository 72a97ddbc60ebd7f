package io.lifecyclemail.delivery.mail;

import java.io.Serializable;

/**
 * Who sends the mail, as the recipient sees it. Anti-spam laws (Japan's Act on Regulation of
 * Transmission of Specified Electronic Mail, CAN-SPAM, the EU's ePrivacy rules) want the sender's
 * name, a postal address and a way to reach them in every marketing mail: the footer shows them.
 */
public record ShopIdentity(String name, String fromAddress, String cartUrl, String postalAddress, String contact)
        implements Serializable {
    public ShopIdentity {
        requireText(name, "sender name (mail.from-name)");
        requireText(fromAddress, "sender address (mail.from)");
        requireText(postalAddress, "postal address (mail.postal-address)");
        requireText(contact, "contact (mail.contact)");
        if (fromAddress.indexOf('@') < 1) {
            throw new IllegalArgumentException("the sender address (mail.from) is not an e-mail address: " + fromAddress);
        }
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("every marketing mail must show the " + what + "; it is empty");
        }
    }
}
