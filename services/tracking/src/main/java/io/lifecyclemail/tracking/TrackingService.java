package io.lifecyclemail.tracking;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lifecyclemail.common.kafka.AvroCodec;
import io.lifecyclemail.common.kafka.KafkaOptions;
import io.lifecyclemail.common.kafka.Topics;
import io.lifecyclemail.common.options.Option;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.common.tokens.LinkTokens;
import io.lifecyclemail.common.tokens.TokenOptions;
import io.lifecyclemail.schema.EngagementEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The HTTP service behind the links in every mail: one-click unsubscribe (RFC 8058) and its page,
 * the open pixel and click redirects. Each verified request is written to the engagement topic
 * before it is answered, so an unsubscribe that got a 200 is never lost; when Kafka cannot take it,
 * the answer is 503 and the mail client or the reader tries again.
 */
public final class TrackingService implements AutoCloseable {
    public static final Option<String> BIND = Option.string("tracking.bind", "0.0.0.0", "Address to listen on.");
    public static final Option<Integer> PORT = Option.integer("tracking.port", 8088, "Port to listen on.");
    public static final Option<Integer> THREADS = Option.integer("tracking.threads", 16, "Threads serving requests.");
    public static final Option<Duration> WRITE_TIMEOUT = Option.duration("tracking.write-timeout", Duration.ofSeconds(10),
            "How long a request waits for Kafka to take its event before it is answered 503.");

    private final HttpServer server;
    private final ExecutorService threads;
    private final Producer<String, byte[]> producer;
    private final String topic;
    private final TrackingRoutes routes;
    private final Duration writeTimeout;
    private final AvroCodec<EngagementEvent> codec = AvroCodec.of(EngagementEvent.class);

    public static List<Option<?>> options() {
        return List.of(KafkaOptions.BOOTSTRAP_SERVERS, Topics.ENGAGEMENT, BIND, PORT, THREADS, WRITE_TIMEOUT,
                TokenOptions.SECRET_FILE, TokenOptions.SECRET_ENV);
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parseOrHelp("lifecycle-mail tracking service", options(), args).orElse(null);
        if (settings == null) {
            return;
        }
        TrackingService service = start(settings, TokenOptions.tokens(settings));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "tracking-shutdown"));
        System.out.printf("tracking service on http://%s:%d, writing to topic %s%n", settings.get(BIND),
                service.port(), settings.get(Topics.ENGAGEMENT));
    }

    public static TrackingService start(Settings settings, LinkTokens tokens) throws IOException {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.get(KafkaOptions.BOOTSTRAP_SERVERS));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(settings.get(WRITE_TIMEOUT).toMillis()));
        // the delivery timeout must cover linger plus one request
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(settings.get(WRITE_TIMEOUT).toMillis() / 2));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(settings.get(WRITE_TIMEOUT).toMillis()));
        Producer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        return new TrackingService(settings, tokens, producer);
    }

    TrackingService(Settings settings, LinkTokens tokens, Producer<String, byte[]> producer) throws IOException {
        this.producer = producer;
        this.topic = settings.get(Topics.ENGAGEMENT);
        this.routes = new TrackingRoutes(tokens);
        this.writeTimeout = settings.get(WRITE_TIMEOUT);
        this.server = HttpServer.create(new InetSocketAddress(settings.get(BIND), settings.get(PORT)), 100);
        this.threads = Executors.newFixedThreadPool(settings.get(THREADS));
        server.setExecutor(threads);
        server.createContext("/", this::serve);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.readNBytes(4096); // the one-click body says nothing the token does not; read it so the connection can be reused
            TrackingRoutes.Outcome outcome = routes.handle(exchange.getRequestMethod().toUpperCase(java.util.Locale.ROOT),
                    exchange.getRequestURI().getRawPath(), exchange.getRequestHeaders().getFirst("Accept-Language"),
                    Instant.now());
            if (outcome.record() != null && !record(outcome.record())) {
                respond(exchange, 503, "text/plain; charset=utf-8", "try again later".getBytes(java.nio.charset.StandardCharsets.UTF_8), java.util.Map.of("Retry-After", "5"));
                return;
            }
            respond(exchange, outcome.status(), outcome.contentType(), outcome.body(), outcome.headers());
        }
    }

    private boolean record(EngagementEvent event) {
        try {
            producer.send(new ProducerRecord<>(topic, event.getCustomerId(), codec.encode(event)))
                    .get(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            System.err.println("could not write " + event.getType() + " of send " + event.getSendId() + ": " + e);
            return false;
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body,
                                java.util.Map<String, String> headers) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(1);
        threads.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
