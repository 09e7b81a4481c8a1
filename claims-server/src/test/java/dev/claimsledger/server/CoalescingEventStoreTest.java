package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The shared event reader looks for this node's new events once per read delay, not after every commit, and still
 * delivers every event, also to a reader further behind than the events it keeps.
 */
class CoalescingEventStoreTest {

    private static final int COMMITS = 40;

    @Test
    void commitsWithinTheReadDelayAreReadTogether() throws InterruptedException {
        CountingStorage storage = new CountingStorage();
        CoalescingEventStore store = store(storage, Duration.ofMillis(200));
        try {
            assertThat(deliveredAfterCommitsOneByOne(store, storage)).isEqualTo(COMMITS);
            // one wake after the first commit, and at most one more for commits that came during its reads; each wake
            // reads until it finds nothing new
            assertThat(storage.reads.get()).as("reads of the store for %d commits", COMMITS).isLessThanOrEqualTo(8);
        } finally {
            store.shutDown();
        }
    }

    @Test
    void noReadDelayReadsAfterEveryCommit() throws InterruptedException {
        CountingStorage storage = new CountingStorage();
        CoalescingEventStore store = store(storage, Duration.ZERO);
        try {
            assertThat(deliveredAfterCommitsOneByOne(store, storage)).isEqualTo(COMMITS);
            assertThat(storage.reads.get()).as("reads of the store for %d commits", COMMITS).isGreaterThan(COMMITS);
        } finally {
            store.shutDown();
        }
    }

    @Test
    void aStreamFallenBehindTheCachedEventsReadsTheRestFromTheStore() {
        CountingStorage storage = new CountingStorage();
        CoalescingEventStore store = new CoalescingEventStore(EmbeddedEventStore.builder().storageEngine(storage)
                .cachedEvents(5).fetchDelay(60_000), Duration.ZERO);
        try (BlockingStream<TrackedEventMessage<?>> stream = store.openStream(null)) {
            for (int event = 0; event < 50; event++) {
                store.publish(GenericEventMessage.asEventMessage("event " + event));
            }
            List<Object> delivered = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (delivered.size() < 50 && System.nanoTime() < deadline) {
                if (stream.hasNextAvailable(100, TimeUnit.MILLISECONDS)) {
                    delivered.add(stream.nextAvailable().getPayload());
                }
            }
            assertThat(delivered).isEqualTo(IntStream.range(0, 50).mapToObj(event -> "event " + event).toList());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            store.shutDown();
        }
    }

    @Test
    void fewerThanOneCachedEventIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new ClaimsProperties.EventStore(1000, Duration.ofMinutes(10), Duration.ZERO,
                Duration.ZERO, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("claims.event-store.cached-events");
    }

    @Test
    void theLedgersEventStoreCoalescesItsReadersWakes(@TempDir Path dataDir) {
        try (ConfigurableApplicationContext ledger = Ledger.start(TestDatabase.freshH2(dataDir))) {
            assertThat(ledger.getBean(EventStore.class)).isInstanceOf(CoalescingEventStore.class);
        }
    }

    @Test
    void aReadDelayOutsideZeroTo100MsIsRefusedAtStartUp() {
        for (Duration delay : new Duration[]{Duration.ofMillis(-1), Duration.ofMillis(101)}) {
            assertThatThrownBy(() -> new ClaimsProperties.EventStore(1000, Duration.ofMinutes(10), Duration.ZERO,
                    delay, 10000))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("claims.event-store.read-delay");
        }
    }

    /**
     * Opens a stream at the store's head, commits events one by one (each waking the reader, as in Axon), and counts
     * what the stream delivers within a few seconds.
     */
    private static int deliveredAfterCommitsOneByOne(EventStore store, CountingStorage storage)
            throws InterruptedException {
        int delivered = 0;
        try (BlockingStream<TrackedEventMessage<?>> stream = store.openStream(null)) {
            assertThat(stream.hasNextAvailable(100, TimeUnit.MILLISECONDS)).isFalse();
            storage.reads.set(0);
            for (int commit = 0; commit < COMMITS; commit++) {
                store.publish(GenericEventMessage.asEventMessage("event " + commit));
                Thread.sleep(2);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (delivered < COMMITS && System.nanoTime() < deadline) {
                if (stream.hasNextAvailable(100, TimeUnit.MILLISECONDS)) {
                    stream.nextAvailable();
                    delivered++;
                }
            }
        }
        return delivered;
    }

    private static CoalescingEventStore store(CountingStorage storage, Duration readDelay) {
        return new CoalescingEventStore(EmbeddedEventStore.builder().storageEngine(storage).fetchDelay(60_000),
                readDelay);
    }

    /** Axon's in-memory storage, counting the shared reader's reads. */
    private static final class CountingStorage extends InMemoryEventStorageEngine {

        final AtomicInteger reads = new AtomicInteger();

        @Override
        public Stream<? extends TrackedEventMessage<?>> readEvents(TrackingToken trackingToken, boolean mayBlock) {
            reads.incrementAndGet();
            return super.readEvents(trackingToken, mayBlock);
        }
    }
}
