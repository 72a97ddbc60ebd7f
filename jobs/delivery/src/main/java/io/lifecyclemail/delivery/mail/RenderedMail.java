package io.lifecyclemail.delivery.mail;

/** A mail ready to send: subject, the two bodies, and the locale of the template that made them. */
public record RenderedMail(String subject, String html, String text, String locale) {}
