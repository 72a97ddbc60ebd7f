package io.lifecyclemail.delivery.mail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal SMTP peer on loopback that refuses every recipient with a given reply, for the replies
 * GreenMail cannot be made to give (e.g. 550 user unknown). Speaks just enough of RFC 5321.
 */
final class RefusingSmtpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread thread;

    RefusingSmtpServer(String recipientReply) throws Exception {
        socket = new ServerSocket(0);
        thread = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket client = socket.accept();
                     BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                     PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.US_ASCII)) {
                    out.print("220 refusing.test ESMTP\r\n");
                    out.flush();
                    String line;
                    while ((line = in.readLine()) != null) {
                        String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                        String reply = switch (command) {
                            case "EHLO", "HELO" -> "250 refusing.test";
                            case "MAIL" -> "250 OK";
                            case "RCPT" -> recipientReply;
                            case "RSET", "NOOP" -> "250 OK";
                            case "QUIT" -> "221 Bye";
                            default -> "500 5.5.2 Syntax error, command unrecognized";
                        };
                        out.print(reply + "\r\n");
                        out.flush();
                        if (command.equals("QUIT")) {
                            break;
                        }
                    }
                } catch (Exception e) {
                    // the test closed the socket, or the client hung up
                }
            }
        }, "refusing-smtp");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        socket.close();
        thread.join(2000);
    }
}
