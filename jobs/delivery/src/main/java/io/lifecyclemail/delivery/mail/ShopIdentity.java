package io.lifecyclemail.delivery.mail;

import java.io.Serializable;

/** Who sends the mail, as the recipient sees it. */
public record ShopIdentity(String name, String fromAddress, String cartUrl) implements Serializable {}
