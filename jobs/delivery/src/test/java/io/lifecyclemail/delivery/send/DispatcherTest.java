package io.lifecyclemail.delivery.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class DispatcherTest {
    /** A worker that takes as long as the mail's domain says, and notes when each mail went. */
    static final class TimedWorker implements Dispatcher.Worker<String, Long> {
        static final Map<String, Long> SENT_AT = new ConcurrentHashMap<>();
        final Map<String, Duration> slow;

        TimedWorker(Map<String, Duration> slow) {
            this.slow = slow;
        }

        @Override
        public Long apply(String mail) {
            long now = System.nanoTime();
            SENT_AT.put(mail, now);
            Duration delay = slow.getOrDefault(mail.substring(mail.indexOf('@') + 1), Duration.ZERO);
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return now;
        }

        @Override
        public void close() {}
    }

    static Optional<Long> awaitOutcome(Dispatcher<String, Long> dispatcher, String id, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Long> outcome = dispatcher.take(id);
            if (outcome.isPresent()) {
                return outcome;
            }
            Thread.sleep(5);
        }
        return Optional.empty();
    }

    @Test
    void aSlowDomainHoldsBackOnlyItsOwnMail() throws Exception {
        SendLimits limits = new SendLimits(0, 0, Map.of(), 2, 1_000, 1_000);
        try (Dispatcher<String, Long> dispatcher = new Dispatcher<>(4,
                () -> new TimedWorker(Map.of("slow.example", Duration.ofSeconds(2))), e -> -1L, limits, "test")) {
            for (int i = 0; i < 6; i++) {
                dispatcher.submit("slow-" + i, "slow.example", "slow-" + i + "@slow.example");
            }
            for (int i = 0; i < 50; i++) {
                dispatcher.submit("fast-" + i, "fast.example", "fast-" + i + "@fast.example");
            }
            for (int i = 0; i < 50; i++) {
                assertThat(awaitOutcome(dispatcher, "fast-" + i, Duration.ofSeconds(1))).as("fast-" + i).isPresent();
            }
            // two connections at most went to the slow domain; the others served the rest
            assertThat(dispatcher.backlog()).isGreaterThanOrEqualTo(4);
            assertThat(dispatcher.take("slow-5")).isEmpty();
            assertThat(dispatcher.holds("slow-5")).isTrue();
        }
    }

    @Test
    void keepsToTheRatePerDomainAndOverall() throws Exception {
        SendLimits limits = new SendLimits(100, 20, Map.of("capped.example", 10.0), 4, 1_000, 1_000);
        try (Dispatcher<String, Long> dispatcher = new Dispatcher<>(4, () -> new TimedWorker(Map.of()), e -> -1L,
                limits, "test")) {
            List<String> capped = new ArrayList<>();
            List<String> other = new ArrayList<>();
            for (int i = 0; i < 11; i++) {
                capped.add("c-" + i);
                dispatcher.submit("c-" + i, "capped.example", "c-" + i + "@capped.example");
                other.add("o-" + i);
                dispatcher.submit("o-" + i, "other.example", "o-" + i + "@other.example");
            }
            List<Long> cappedTimes = new ArrayList<>();
            for (String id : capped) {
                cappedTimes.add(awaitOutcome(dispatcher, id, Duration.ofSeconds(5)).orElseThrow());
            }
            List<Long> otherTimes = new ArrayList<>();
            for (String id : other) {
                otherTimes.add(awaitOutcome(dispatcher, id, Duration.ofSeconds(5)).orElseThrow());
            }
            // 11 mails at 10/s span at least 1 s; at 20/s at least 0.5 s
            assertThat(span(cappedTimes)).isGreaterThanOrEqualTo(Duration.ofMillis(990));
            assertThat(span(otherTimes)).isGreaterThanOrEqualTo(Duration.ofMillis(490));
        }
    }

    @Test
    void aFullDomainQueueRefusesWithoutWaiting() throws Exception {
        SendLimits limits = new SendLimits(0, 0.001, Map.of(), 1, 2, 100);
        try (Dispatcher<String, Long> dispatcher = new Dispatcher<>(1, () -> new TimedWorker(Map.of()), e -> -1L,
                limits, "test")) {
            // the first mail of the domain goes at once; the rate (one per 1,000 s) holds back the rest
            assertThat(dispatcher.submit("a", "d.example", "a@d.example")).isEqualTo(Dispatcher.Admission.QUEUED);
            assertThat(awaitOutcome(dispatcher, "a", Duration.ofSeconds(2))).isPresent();
            assertThat(dispatcher.submit("b", "d.example", "b@d.example")).isEqualTo(Dispatcher.Admission.QUEUED);
            assertThat(dispatcher.submit("c", "d.example", "c@d.example")).isEqualTo(Dispatcher.Admission.QUEUED);
            assertThat(dispatcher.submit("d", "d.example", "d@d.example")).isEqualTo(Dispatcher.Admission.FULL);
            assertThat(dispatcher.submit("e", "e.example", "e@e.example")).isEqualTo(Dispatcher.Admission.QUEUED);
        }
    }

    @Test
    void aWorkerThatThrowsGivesAnOutcomeAndLivesOn() throws Exception {
        Dispatcher.Worker<String, Long> throwing = new Dispatcher.Worker<>() {
            @Override
            public Long apply(String mail) {
                if (mail.startsWith("bad")) {
                    throw new IllegalStateException("bug");
                }
                return 1L;
            }

            @Override
            public void close() {}
        };
        try (Dispatcher<String, Long> dispatcher = new Dispatcher<>(1, () -> throwing, e -> -1L,
                SendLimits.unlimited(), "test")) {
            dispatcher.submit("bad", "x", "bad");
            dispatcher.submit("good", "x", "good");
            assertThat(awaitOutcome(dispatcher, "bad", Duration.ofSeconds(2))).contains(-1L);
            assertThat(awaitOutcome(dispatcher, "good", Duration.ofSeconds(2))).contains(1L);
        }
    }

    static Duration span(List<Long> nanos) {
        return Duration.ofNanos(nanos.stream().mapToLong(Long::longValue).max().orElseThrow()
                - nanos.stream().mapToLong(Long::longValue).min().orElseThrow());
    }
}
