package dev.claimsledger.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;

/**
 * Axon's embedded event store, whose shared event reader is woken at most once per {@code readDelay} after commits
 * instead of after every one. Axon wakes the reader on each commit of this node, and each wake costs two queries (the
 * new events, then a read that finds nothing more, followed by a gap check): with single heartbeats that was about one
 * extra query per heartbeat (BENCHMARKS.md). Commits within the delay are now read together; the processors see an
 * event up to {@code readDelay} later. Events of other nodes are found as before, by Axon's polling.
 */
class CoalescingEventStore extends EmbeddedEventStore {

    static final Duration MAX_READ_DELAY = Duration.ofMillis(100);

    private final long readDelayNanos;
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private final ScheduledExecutorService waker;

    CoalescingEventStore(Builder builder, Duration readDelay) {
        super(builder);
        this.readDelayNanos = readDelay.toNanos();
        this.waker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "event-reader-waker");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    protected void afterCommit(List<? extends EventMessage<?>> events) {
        if (readDelayNanos == 0) {
            super.afterCommit(events);
        } else if (wakeScheduled.compareAndSet(false, true)) {
            waker.schedule(this::wakeReader, readDelayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void wakeReader() {
        wakeScheduled.set(false);
        super.afterCommit(List.of());
    }

    @Override
    public void shutDown() {
        waker.shutdownNow();
        super.shutDown();
    }
}
