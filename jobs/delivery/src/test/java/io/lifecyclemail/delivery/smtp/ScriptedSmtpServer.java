package io.lifecyclemail.delivery.smtp;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small SMTP server on loopback (RFC 5321, enough for Jakarta Mail) whose replies and delays per
 * recipient domain a test sets: for what GreenMail cannot be made to do (550 user unknown, a domain
 * that answers slowly), and as a sink that accepts and counts mail faster than GreenMail stores it.
 * One thread per connection.
 */
public final class ScriptedSmtpServer implements AutoCloseable {
    /** How the server answers RCPT TO for a domain: the reply, after a delay. */
    public record Rule(String reply, Duration delay) {}

    private static final Rule ACCEPT = new Rule("250 2.1.5 OK", Duration.ZERO);

    private final ServerSocket socket;
    private final Thread acceptor;
    private final Map<String, Rule> rules = new ConcurrentHashMap<>();
    private final List<String> messageIds = new CopyOnWriteArrayList<>();
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private final boolean keepMessages;

    /** @param keepMessages keep every accepted message's text (tests), or only count them (benchmarks) */
    public ScriptedSmtpServer(boolean keepMessages) throws Exception {
        this.keepMessages = keepMessages;
        socket = new ServerSocket(0, 200);
        acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    Thread session = new Thread(() -> serve(client), "scripted-smtp-session");
                    session.setDaemon(true);
                    session.start();
                } catch (Exception e) {
                    // closed by the test
                }
            }
        }, "scripted-smtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers RCPT TO for {@code domain} with {@code reply} after {@code delay}. */
    public ScriptedSmtpServer rule(String domain, String reply, Duration delay) {
        rules.put(domain.toLowerCase(Locale.ROOT), new Rule(reply, delay));
        return this;
    }

    public int port() {
        return socket.getLocalPort();
    }

    public long accepted() {
        return accepted.get();
    }

    public List<String> messageIds() {
        return List.copyOf(messageIds);
    }

    public List<String> messages() {
        return List.copyOf(messages);
    }

    private void serve(Socket client) {
        try (client;
             BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
             OutputStream out = client.getOutputStream()) {
            reply(out, "220 scripted.test ESMTP");
            String line;
            while ((line = in.readLine()) != null) {
                String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> reply(out, "250-scripted.test\r\n250-8BITMIME\r\n250 SMTPUTF8");
                    case "HELO", "MAIL", "RSET", "NOOP" -> reply(out, "250 OK");
                    case "RCPT" -> {
                        Rule rule = rules.getOrDefault(domainOf(line), ACCEPT);
                        if (!rule.delay().isZero()) {
                            Thread.sleep(rule.delay().toMillis());
                        }
                        reply(out, rule.reply());
                    }
                    case "DATA" -> {
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        StringBuilder message = new StringBuilder();
                        String messageId = null;
                        String data;
                        while ((data = in.readLine()) != null && !data.equals(".")) {
                            if (messageId == null && data.regionMatches(true, 0, "Message-ID:", 0, 11)) {
                                messageId = data.substring(11).strip();
                            }
                            if (keepMessages) {
                                message.append(data.startsWith("..") ? data.substring(1) : data).append("\r\n");
                            }
                        }
                        accepted.incrementAndGet();
                        if (messageId != null) {
                            messageIds.add(messageId);
                        }
                        if (keepMessages) {
                            messages.add(message.toString());
                        }
                        reply(out, "250 2.0.0 queued");
                    }
                    case "QUIT" -> {
                        reply(out, "221 Bye");
                        return;
                    }
                    default -> reply(out, "500 5.5.2 command unrecognized");
                }
            }
        } catch (Exception e) {
            // the client hung up, or the server is closing
        }
    }

    private static String domainOf(String rcpt) {
        int at = rcpt.lastIndexOf('@');
        int end = rcpt.indexOf('>', Math.max(at, 0));
        return at < 0 ? "" : rcpt.substring(at + 1, end < 0 ? rcpt.length() : end).strip().toLowerCase(Locale.ROOT);
    }

    private static void reply(OutputStream out, String text) throws Exception {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws Exception {
        socket.close();
        acceptor.join(2000);
    }
}
