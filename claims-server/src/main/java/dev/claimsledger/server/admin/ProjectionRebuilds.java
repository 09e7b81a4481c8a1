package dev.claimsledger.server.admin;

import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.projection.ConsumerClaimsProjection;
import dev.claimsledger.projection.ConsumerClaimsProjection.RowChanges;
import dev.claimsledger.projection.ConsumerClaimsProjection.RowsReplaced;
import dev.claimsledger.server.readmodel.ReadModelPosition;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Rebuilds the {@code consumer_claims} read model from the event store while readers keep reading it.
 *
 * <p>The guarantee: until a rebuild is done every read is answered from the read model as it was, kept current by
 * its processor; then, in one transaction, it becomes the rebuilt one, on every node at once, and no reader sees a
 * row older than it was. A rebuild that fails or is cancelled leaves {@code consumer_claims} and its processor as they
 * were. One rebuild runs at a time in the whole cluster ({@link RebuildRecords}).
 *
 * <p>How: on threads of its own (one reads, one writes) a rebuild reads every event from the store, as the processor
 * would (the same storage engine, tokens and gap handling), and applies it with the projection's own row changes to
 * {@code consumer_claims_rebuild}, one transaction per batch. Once it has read up to the head it switches, in one
 * transaction: it locks the processor's token rows (the processor stores a segment's token first in each batch's
 * transaction, so no batch commits meanwhile and one that was running has committed), reads on until the store has
 * no more events, which includes every event the processor has applied, and then makes {@code consumer_claims} hold
 * exactly the rebuilt rows. The processor goes on from its own position afterwards: the events it applies again are
 * at or below each row's {@code last_event_sequence}, which the projection skips.
 */
@Component
public class ProjectionRebuilds implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ProjectionRebuilds.class);
    private static final String SHADOW = ConsumerClaimsProjection.REBUILD_TABLE;
    /** Events applied to the rebuild's table per transaction. */
    private static final int BATCH = 1000;
    /** How many batches the reading thread may be ahead of the writing one. */
    private static final int READ_AHEAD = 4;
    /** How often the switch is tried when its transaction loses a lock race or the store outran it. */
    private static final int SWITCH_ATTEMPTS = 5;
    /** The most events the switch applies while it holds the processor back. */
    private static final int CATCH_UP_LIMIT = 10 * BATCH;

    private final EventStorageEngine storage;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Serializer serializer;
    private final RebuildRecords records;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> daemon(runnable,
            "projection-rebuild"));
    private final ExecutorService reader = Executors.newSingleThreadExecutor(runnable -> daemon(runnable,
            "projection-rebuild-reader"));

    public ProjectionRebuilds(EventStorageEngine storage, JdbcTemplate jdbc, PlatformTransactionManager transactions,
                              Serializer serializer, Clock clock) {
        this.storage = storage;
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactions);
        this.serializer = serializer;
        this.records = new RebuildRecords(JdbcClient.create(jdbc), this.transactions, clock,
                ConsumerClaimsProjection.PROCESSING_GROUP, ManagementFactory.getRuntimeMXBean().getName());
    }

    /**
     * Starts a rebuild of the consumer-claims read model on this node.
     *
     * @throws ClaimRejectedException {@code conflict} while another rebuild runs, on any node
     */
    public Rebuild start() {
        Rebuild rebuild = records.start(position(storage.createHeadToken()));
        worker.submit(() -> run(rebuild));
        return rebuild;
    }

    /** A rebuild started on any node. */
    public Optional<Rebuild> find(String id) {
        return records.find(id);
    }

    private void run(Rebuild rebuild) {
        long started = System.nanoTime();
        try {
            log.info("rebuilding {} beside it in {}, up to position {} and on", ConsumerClaimsProjection.TABLE, SHADOW,
                    rebuild.total());
            jdbc.execute("TRUNCATE TABLE " + SHADOW);
            TrackingToken read = fill(rebuild, null);
            RowsReplaced replaced = switchOver(rebuild, read);
            records.finish(rebuild.id());
            log.info("rebuilt {} in {} ms; switching deleted {} rows that differed and inserted {}",
                    ConsumerClaimsProjection.TABLE, Duration.ofNanos(System.nanoTime() - started).toMillis(),
                    replaced.deleted(), replaced.inserted());
            clearShadow();
        } catch (RebuildTakenOver e) {
            log.warn("rebuild {} stopped: another node declared it abandoned and started a new one", rebuild.id());
        } catch (RebuildCancelled e) {
            clearShadow();
            records.fail(rebuild.id(), "cancelled: the node running it is shutting down");
        } catch (RuntimeException e) {
            log.error("rebuild {} failed; {} is left as it was", rebuild.id(), ConsumerClaimsProjection.TABLE, e);
            clearShadow();
            records.fail(rebuild.id(), String.valueOf(e.getMessage()));
        }
    }

    /**
     * Applies the events after {@code from} to the rebuild's table, a transaction per batch, until the store has no
     * more. A thread of its own reads and deserializes the next batches meanwhile, as far as {@link #READ_AHEAD}
     * batches ahead.
     *
     * @return the token of the last event applied
     */
    private TrackingToken fill(Rebuild rebuild, TrackingToken from) {
        BlockingQueue<ReadBatch> read = new ArrayBlockingQueue<>(READ_AHEAD);
        Future<?> reading = reader.submit(() -> {
            readInto(read, from);
            return null;
        });
        try {
            TrackingToken reached = from;
            for (ReadBatch batch = read.take(); !batch.isLast(); batch = read.take()) {
                commit(rebuild, batch.changes(), batch.reached());
                reached = batch.reached();
            }
            reading.get();
            return reached;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RebuildCancelled();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure
                    : new IllegalStateException("reading the event store failed", e.getCause());
        } finally {
            reading.cancel(true);
        }
    }

    /** Reads the events after {@code from} in batches, then a last, empty batch; on a failure only the empty one. */
    private void readInto(BlockingQueue<ReadBatch> read, TrackingToken from) throws InterruptedException {
        try (Stream<? extends TrackedEventMessage<?>> events = storage.readEvents(from, false)) {
            Iterator<? extends TrackedEventMessage<?>> iterator = events.iterator();
            RowChanges changes = ConsumerClaimsProjection.rebuildChanges();
            TrackingToken reached = from;
            int batched = 0;
            while (iterator.hasNext()) {
                TrackedEventMessage<?> event = iterator.next();
                add(changes, event);
                reached = event.trackingToken();
                if (++batched == BATCH) {
                    read.put(new ReadBatch(changes, reached));
                    changes = ConsumerClaimsProjection.rebuildChanges();
                    batched = 0;
                }
            }
            if (batched > 0) {
                read.put(new ReadBatch(changes, reached));
            }
        } finally {
            read.put(ReadBatch.LAST);
        }
    }

    private void commit(Rebuild rebuild, RowChanges changes, TrackingToken reached) {
        if (Thread.currentThread().isInterrupted()) {
            throw new RebuildCancelled();
        }
        transactions.executeWithoutResult(status -> {
            report(rebuild, reached);
            changes.writeTo(jdbc);
        });
    }

    /**
     * Switches readers to the rebuilt rows in one transaction; tried again from where it had read when the transaction
     * loses a lock race or the store grew too fast while it held the lock.
     */
    private RowsReplaced switchOver(Rebuild rebuild, TrackingToken read) {
        TrackingToken reached = read;
        for (int attempt = 1; ; attempt++) {
            TrackingToken from = reached;
            try {
                return transactions.execute(status -> {
                    report(rebuild, from);
                    ReadModelPosition live = ReadModelPosition.lock(jdbc, serializer);
                    log.debug("rebuild {}: the processor is held at {}", rebuild.id(), live);
                    catchUp(from);
                    return ConsumerClaimsProjection.replaceRows(jdbc, SHADOW);
                });
            } catch (TransientDataAccessException | FellBehind e) {
                if (attempt == SWITCH_ATTEMPTS) {
                    throw new IllegalStateException("could not switch to the rebuilt rows in " + SWITCH_ATTEMPTS
                            + " attempts: " + e, e);
                }
                log.warn("rebuild {}: switching did not succeed ({}); catching up and trying again", rebuild.id(),
                        e.toString());
                reached = fill(rebuild, from);
            }
        }
    }

    /**
     * Applies, in the caller's transaction, every event after {@code from} that is stored by now: the events that
     * filled gaps of {@code from} and all after it, until the store has no more.
     *
     * @throws FellBehind when that is more than {@link #CATCH_UP_LIMIT} events, rather than hold the lock that long
     */
    private void catchUp(TrackingToken from) {
        RowChanges changes = ConsumerClaimsProjection.rebuildChanges();
        int read = 0;
        try (Stream<? extends TrackedEventMessage<?>> events = storage.readEvents(from, false)) {
            Iterator<? extends TrackedEventMessage<?>> iterator = events.iterator();
            while (iterator.hasNext()) {
                if (++read > CATCH_UP_LIMIT) {
                    throw new FellBehind();
                }
                add(changes, iterator.next());
            }
        }
        changes.writeTo(jdbc);
    }

    private static void add(RowChanges changes, TrackedEventMessage<?> event) {
        if (event instanceof DomainEventMessage<?> domainEvent) {
            changes.add(domainEvent.getPayload(), domainEvent.getSequenceNumber());
        }
    }

    private void report(Rebuild rebuild, TrackingToken reached) {
        if (!records.stillRunning(rebuild.id(), Math.min(position(reached), rebuild.total()))) {
            throw new RebuildTakenOver();
        }
    }

    private void clearShadow() {
        try {
            jdbc.execute("TRUNCATE TABLE " + SHADOW);
        } catch (RuntimeException e) {
            log.warn("could not empty {} after a rebuild: {}", SHADOW, e.getMessage());
        }
    }

    private static long position(TrackingToken token) {
        return token == null ? 0 : token.position().orElse(0);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void destroy() throws InterruptedException {
        worker.shutdownNow();
        reader.shutdownNow();
        worker.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Row changes read from the store and the token of their last event; {@link #LAST} ends a reading. */
    private record ReadBatch(RowChanges changes, TrackingToken reached) {

        static final ReadBatch LAST = new ReadBatch(null, null);

        boolean isLast() {
            return changes == null;
        }
    }

    /** Another node declared this rebuild abandoned and runs its own. */
    private static final class RebuildTakenOver extends RuntimeException {
    }

    /** The node is shutting down. */
    private static final class RebuildCancelled extends RuntimeException {
    }

    /** More events arrived than the switch applies while it holds the processor back. */
    private static final class FellBehind extends RuntimeException {
    }
}
