package dev.claimsledger.server;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.StreamableMessageSource;

/**
 * The event store as the tracking processors read it, with a linger (as Kafka's producer has): while events trickle
 * in, a processor that has waited for an event waits {@code linger} more before it forms its batch, so that the batch
 * holds what arrived meanwhile. A tracking processor commits a transaction and stores its token for every batch; at
 * a few events per batch, those transactions cost PostgreSQL more than the events' own writes (BENCHMARKS.md). While
 * a processor catches up, its batches fill without waiting and it never lingers.
 */
public final class LingeringEventSource implements StreamableMessageSource<TrackedEventMessage<?>> {

    /** The longest linger taken: a processor's projection lag grows by up to its linger. */
    public static final Duration MAX_LINGER = Duration.ofSeconds(1);
    /** After a batch of at least this many events the stream is taken to be catching up, and does not linger. */
    static final int CATCHING_UP = 100;

    private final StreamableMessageSource<TrackedEventMessage<?>> store;
    private final Duration linger;

    public LingeringEventSource(StreamableMessageSource<TrackedEventMessage<?>> store, Duration linger) {
        this.store = store;
        this.linger = linger;
    }

    @Override
    public BlockingStream<TrackedEventMessage<?>> openStream(TrackingToken trackingToken) {
        BlockingStream<TrackedEventMessage<?>> stream = store.openStream(trackingToken);
        return linger.isZero() ? stream : new LingeringStream(stream, linger.toNanos());
    }

    @Override
    public TrackingToken createTailToken() {
        return store.createTailToken();
    }

    @Override
    public TrackingToken createHeadToken() {
        return store.createHeadToken();
    }

    @Override
    public TrackingToken createTokenAt(Instant dateTime) {
        return store.createTokenAt(dateTime);
    }

    @Override
    public TrackingToken createTokenSince(Duration duration) {
        return store.createTokenSince(duration);
    }

    /**
     * Lingers in the processor's wait for the first event of a batch (the one call with a timeout); the processor
     * then takes what is available without waiting.
     */
    static final class LingeringStream implements BlockingStream<TrackedEventMessage<?>> {

        private final BlockingStream<TrackedEventMessage<?>> events;
        private final long lingerNanos;
        /** Events taken since the last wait: the size of the last batch, counting the events of other segments. */
        private int takenSinceWait = CATCHING_UP;

        LingeringStream(BlockingStream<TrackedEventMessage<?>> events, long lingerNanos) {
            this.events = events;
            this.lingerNanos = lingerNanos;
        }

        @Override
        public boolean hasNextAvailable(int timeout, TimeUnit unit) throws InterruptedException {
            if (timeout <= 0) {
                return events.hasNextAvailable(timeout, unit);
            }
            boolean catchingUp = takenSinceWait >= CATCHING_UP;
            takenSinceWait = 0;
            boolean available = events.hasNextAvailable(timeout, unit);
            if (available && !catchingUp) {
                TimeUnit.NANOSECONDS.sleep(lingerNanos);
            }
            return available;
        }

        @Override
        public boolean hasNextAvailable() {
            return events.hasNextAvailable();
        }

        @Override
        public TrackedEventMessage<?> nextAvailable() throws InterruptedException {
            TrackedEventMessage<?> next = events.nextAvailable();
            takenSinceWait++;
            return next;
        }

        @Override
        public Optional<TrackedEventMessage<?>> peek() {
            return events.peek();
        }

        @Override
        public void close() {
            events.close();
        }

        @Override
        public void skipMessagesWithPayloadTypeOf(TrackedEventMessage<?> ignoredMessage) {
            events.skipMessagesWithPayloadTypeOf(ignoredMessage);
        }

        @Override
        public boolean setOnAvailableCallback(Runnable callback) {
            return events.setOnAvailableCallback(callback);
        }
    }
}
