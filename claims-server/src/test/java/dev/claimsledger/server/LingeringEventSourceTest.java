package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.merkle.MerkleLogWriter;
import dev.claimsledger.projection.ConsumerClaimsProjection;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.GenericTrackedEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.StreamableMessageSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A tracking processor's wait for the first event of a batch lingers while events trickle in, so that the events
 * arriving meanwhile join the batch, and never while it catches up.
 */
class LingeringEventSourceTest {

    private static final Duration LINGER = Duration.ofMillis(300);
    private static final AtomicLong POSITION = new AtomicLong();

    private final Events events = new Events();

    @Test
    void aWaitThatFindsAnEventLingersOnceTheLastBatchWasSmall() throws InterruptedException {
        BlockingStream<TrackedEventMessage<?>> stream = lingering(LINGER).openStream(null);
        events.add(2);
        assertThat(stream.hasNextAvailable(1000, TimeUnit.MILLISECONDS)).isTrue();
        take(stream, 2);

        events.add(1);
        long started = System.nanoTime();
        assertThat(stream.hasNextAvailable(1000, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(LINGER);
    }

    @Test
    void aWaitAfterABatchOfACatchingUpStreamDoesNotLinger() throws InterruptedException {
        BlockingStream<TrackedEventMessage<?>> stream = lingering(Duration.ofSeconds(1)).openStream(null);
        events.add(LingeringEventSource.CATCHING_UP + 1);
        stream.hasNextAvailable(1000, TimeUnit.MILLISECONDS);
        take(stream, LingeringEventSource.CATCHING_UP);

        long started = System.nanoTime();
        assertThat(stream.hasNextAvailable(1000, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void aWaitThatFindsNothingAndTheProcessorsOwnChecksDoNotLinger() throws InterruptedException {
        BlockingStream<TrackedEventMessage<?>> stream = lingering(Duration.ofSeconds(1)).openStream(null);
        events.add(1);
        stream.hasNextAvailable(1000, TimeUnit.MILLISECONDS);
        take(stream, 1);

        long started = System.nanoTime();
        assertThat(stream.hasNextAvailable(50, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(stream.hasNextAvailable()).isFalse();
        events.add(1);
        assertThat(stream.hasNextAvailable()).isTrue();
        assertThat(stream.hasNextAvailable(0, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void theReadModelAndTheMerkleLogReadThroughTheLinger(@TempDir Path dataDir) {
        try (ConfigurableApplicationContext ledger = Ledger.start(TestDatabase.freshH2(dataDir))) {
            LingeringEventSource source = ledger.getBean(LingeringEventSource.class);
            EventProcessingConfiguration processing = ledger.getBean(EventProcessingConfiguration.class);
            for (String processor : new String[]{ConsumerClaimsProjection.PROCESSING_GROUP,
                    MerkleLogWriter.PROCESSING_GROUP}) {
                assertThat(processing.eventProcessor(processor, TrackingEventProcessor.class))
                        .as(processor).hasValueSatisfying(tracking ->
                                assertThat(tracking.getMessageSource()).isSameAs(source));
            }
        }
    }

    @Test
    void noLingerReadsTheStoresOwnStream() {
        assertThat(lingering(Duration.ZERO).openStream(null)).isSameAs(events);
    }

    @Test
    void aLingerOutsideZeroToASecondIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new ClaimsProperties.EventStore(1000, Duration.ofMinutes(10), Duration.ofMillis(-1),
                Duration.ZERO, 10000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("claims.event-store.processor-linger");
        assertThatThrownBy(() -> new ClaimsProperties.EventStore(1000, Duration.ofMinutes(10), Duration.ofMillis(1001),
                Duration.ZERO, 10000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("claims.event-store.processor-linger");
    }

    private LingeringEventSource lingering(Duration linger) {
        return new LingeringEventSource(new StreamableMessageSource<>() {
            @Override
            public BlockingStream<TrackedEventMessage<?>> openStream(TrackingToken trackingToken) {
                return events;
            }
        }, linger);
    }

    private static void take(BlockingStream<TrackedEventMessage<?>> stream, int count) throws InterruptedException {
        for (int taken = 0; taken < count; taken++) {
            stream.nextAvailable();
        }
    }

    /** The store's stream: events added by the test. */
    private static final class Events implements BlockingStream<TrackedEventMessage<?>> {

        private final LinkedBlockingDeque<TrackedEventMessage<?>> queue = new LinkedBlockingDeque<>();

        void add(int count) {
            for (int added = 0; added < count; added++) {
                long position = POSITION.incrementAndGet();
                queue.add(new GenericTrackedEventMessage<>(new GlobalSequenceTrackingToken(position),
                        GenericEventMessage.asEventMessage("event " + position)));
            }
        }

        @Override
        public Optional<TrackedEventMessage<?>> peek() {
            return Optional.ofNullable(queue.peek());
        }

        @Override
        public boolean hasNextAvailable(int timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (queue.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            return !queue.isEmpty();
        }

        @Override
        public TrackedEventMessage<?> nextAvailable() throws InterruptedException {
            return queue.take();
        }

        @Override
        public void close() {
            queue.clear();
        }
    }
}
