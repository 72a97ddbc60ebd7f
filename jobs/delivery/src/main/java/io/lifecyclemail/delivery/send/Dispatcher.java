package io.lifecyclemail.delivery.send;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Sends on a few worker threads, each with its own connection, so the caller (a Flink operator
 * thread) never waits for a mail server. Mails queue per recipient domain and are taken round-robin
 * across domains, each domain within its rate and its number of connections: a slow or throttled
 * domain holds back its own mail and nobody else's. Outcomes wait until the caller takes them.
 *
 * @param <M> a mail
 * @param <R> the outcome of trying to send it
 */
public final class Dispatcher<M, R> implements AutoCloseable {
    /** One worker's way of sending; called from that worker's thread only, so it may keep a connection. */
    public interface Worker<M, R> extends Function<M, R>, AutoCloseable {
        @Override
        void close();
    }

    public enum Admission {
        /** Queued; its outcome can be taken later. */
        QUEUED,
        /** The domain's queue (or the whole queue) is full: keep the mail and offer it again later. */
        FULL
    }

    private record Queued<M>(String id, M mail) {}

    private static final class DomainQueue<M> {
        final ArrayDeque<Queued<M>> waiting = new ArrayDeque<>();
        final long intervalNanos;
        int inFlight;
        long nextAt;

        DomainQueue(double perSecond) {
            this.intervalNanos = perSecond <= 0 ? 0 : Math.round(1e9 / perSecond);
        }
    }

    private final SendLimits limits;
    private final Function<RuntimeException, R> onCrash;
    private final LongSupplier nanoTime;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final LinkedHashMap<String, DomainQueue<M>> domains = new LinkedHashMap<>();
    private final Map<String, String> pending = new HashMap<>();
    private final Map<String, R> outcomes = new HashMap<>();
    private final long globalIntervalNanos;
    private final List<Thread> threads = new ArrayList<>();
    private long globalNextAt;
    /** Moving average of the time one mail takes a worker. */
    private double averageNanos;
    private int queued;
    private boolean closed;

    /** @param onCrash the outcome of a mail whose worker threw */
    public Dispatcher(int workers, Supplier<? extends Worker<M, R>> newWorker, Function<RuntimeException, R> onCrash,
                      SendLimits limits, String threadName) {
        this(workers, newWorker, onCrash, limits, threadName, System::nanoTime);
    }

    Dispatcher(int workers, Supplier<? extends Worker<M, R>> newWorker, Function<RuntimeException, R> onCrash,
               SendLimits limits, String threadName, LongSupplier nanoTime) {
        if (workers < 1) {
            throw new IllegalArgumentException("at least one worker");
        }
        this.limits = limits;
        this.onCrash = onCrash;
        this.nanoTime = nanoTime;
        this.globalIntervalNanos = limits.perSecond() <= 0 ? 0 : Math.round(1e9 / limits.perSecond());
        for (int i = 0; i < workers; i++) {
            Thread thread = new Thread(() -> work(newWorker), threadName + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Queues a mail unless its domain's queue or the whole queue is full; never waits. */
    public Admission submit(String id, String domain, M mail) {
        lock.lock();
        try {
            if (pending.containsKey(id) || outcomes.containsKey(id)) {
                return Admission.QUEUED;
            }
            DomainQueue<M> queue = domains.computeIfAbsent(domain, key -> new DomainQueue<>(limits.rateOf(key)));
            if (queued >= limits.totalQueue() || queue.waiting.size() >= limits.perDomainQueue()) {
                if (queue.waiting.isEmpty() && queue.inFlight == 0) {
                    domains.remove(domain);
                }
                return Admission.FULL;
            }
            queue.waiting.add(new Queued<>(id, mail));
            pending.put(id, domain);
            queued++;
            changed.signalAll();
            return Admission.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /** The outcome of a mail, once it has one; it is handed out once. */
    public Optional<R> take(String id) {
        lock.lock();
        try {
            return Optional.ofNullable(outcomes.remove(id));
        } finally {
            lock.unlock();
        }
    }

    /** Whether the mail is queued, being sent or has an outcome not yet taken (false after a restart). */
    public boolean holds(String id) {
        lock.lock();
        try {
            return pending.containsKey(id) || outcomes.containsKey(id);
        } finally {
            lock.unlock();
        }
    }

    /**
     * About how long a mail queued now waits for its outcome: the backlog over the workers at the
     * recent time per mail. The caller looks for the outcome no earlier, instead of asking in vain.
     */
    public long expectedWaitMillis() {
        lock.lock();
        try {
            return (long) (pending.size() * averageNanos / threads.size() / 1e6);
        } finally {
            lock.unlock();
        }
    }

    /** Mails queued or being sent. */
    public int backlog() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    private void work(Supplier<? extends Worker<M, R>> newWorker) {
        try (Worker<M, R> worker = newWorker.get()) {
            while (true) {
                Map.Entry<String, Queued<M>> next = next();
                if (next == null) {
                    return;
                }
                long started = nanoTime.getAsLong();
                R outcome;
                try {
                    outcome = worker.apply(next.getValue().mail());
                } catch (RuntimeException bug) {
                    // a mail must never stay pending forever, and the worker must live on
                    outcome = onCrash.apply(bug);
                }
                finish(next.getKey(), next.getValue().id(), outcome, nanoTime.getAsLong() - started);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for a mail that may go now; null once closed. */
    private Map.Entry<String, Queued<M>> next() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                long now = nanoTime.getAsLong();
                long wait = TimeUnit.MILLISECONDS.toNanos(100);
                Iterator<Map.Entry<String, DomainQueue<M>>> round = domains.entrySet().iterator();
                while (round.hasNext()) {
                    Map.Entry<String, DomainQueue<M>> entry = round.next();
                    DomainQueue<M> queue = entry.getValue();
                    if (queue.waiting.isEmpty()) {
                        if (queue.inFlight == 0 && queue.nextAt <= now) {
                            round.remove();
                        }
                        continue;
                    }
                    if (queue.inFlight >= limits.perDomainConnections()) {
                        continue;
                    }
                    long allowedAt = Math.max(queue.nextAt, globalNextAt);
                    if (allowedAt > now) {
                        wait = Math.min(wait, allowedAt - now);
                        continue;
                    }
                    Queued<M> mail = queue.waiting.poll();
                    queued--;
                    queue.inFlight++;
                    queue.nextAt = Math.max(now, queue.nextAt) + queue.intervalNanos;
                    globalNextAt = Math.max(now, globalNextAt) + globalIntervalNanos;
                    // to the back of the round, so every domain gets its turn
                    round.remove();
                    domains.put(entry.getKey(), queue);
                    return Map.entry(entry.getKey(), mail);
                }
                changed.awaitNanos(wait);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void finish(String domain, String id, R outcome, long tookNanos) {
        lock.lock();
        try {
            averageNanos = averageNanos == 0 ? tookNanos : 0.99 * averageNanos + 0.01 * tookNanos;
            DomainQueue<M> queue = domains.get(domain);
            queue.inFlight--;
            if (queue.inFlight == 0 && queue.waiting.isEmpty() && queue.nextAt <= nanoTime.getAsLong()) {
                domains.remove(domain);
            }
            pending.remove(id);
            outcomes.put(id, outcome);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking mail; mails being sent finish, queued ones are dropped (their state still holds them). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
