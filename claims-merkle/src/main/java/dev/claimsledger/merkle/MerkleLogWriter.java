package dev.claimsledger.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DisallowReplay;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The log's single writer: gives every event, in the order events become visible to a tracking processor (commit
 * order, not global index order), the next leaf index.
 *
 * <p>Guarantee: an event is a leaf exactly once. The processor that runs this handler must have one segment (so the
 * token store lets one node at a time own it) and propagate handler errors. A batch's leaves are stored in the
 * batch's transaction, together with the processor's token: a crash loses or repeats no leaf. The stored head carries
 * the tree's size, and a batch stores only over the size it started from, so a node that lost its claim cannot
 * append behind another's back; it reloads the log and the processor retries. Replays are not taken
 * ({@link DisallowReplay}): a reset token must not append every event a second time.
 *
 * <p>An append reads nothing: the writer keeps the log's edge in memory, hashes the leaf, and stores one row per
 * completed tile of 256 leaves plus the head row once per batch.
 */
@ProcessingGroup(MerkleLogWriter.PROCESSING_GROUP)
@DisallowReplay
public class MerkleLogWriter {

    public static final String PROCESSING_GROUP = "ledger-merkle-log";
    private static final String BATCH = MerkleLogWriter.class.getName() + ".batch";

    private final LogStore store;
    private final Serializer eventSerializer;
    /** The log as last committed by this node; null until loaded, and after a failed batch. */
    private volatile TiledLog committed;
    private volatile TreeHead committedHead;
    /** The token of the last event of the last batch this node committed; null when not known. */
    private volatile GapAwareTrackingToken lastToken;

    /** @param eventSerializer the event store's serializer, so the payload and metadata bytes are the stored ones */
    public MerkleLogWriter(JdbcTemplate jdbc, Serializer eventSerializer) {
        this.store = new LogStore(jdbc);
        this.eventSerializer = eventSerializer;
    }

    @EventHandler
    void on(EventMessage<?> event) {
        if (!(event instanceof TrackedEventMessage<?> tracked)) {
            throw new IllegalStateException("the Merkle log takes events only from a tracking event processor");
        }
        if (!CurrentUnitOfWork.isStarted()) {
            throw new IllegalStateException("the Merkle log appends only inside an event processor's unit of work");
        }
        UnitOfWork<?> root = CurrentUnitOfWork.get().root();
        Batch batch = root.getOrComputeResource(BATCH, key -> begin(root));
        TrackingToken token = tracked.trackingToken();
        long position = batch.positionOf(token, event.getIdentifier());
        batch.append(position, Leaf.of(rowOf(event, position)).hash(), settledAfter(token, position));
    }

    /** The tree head of the last batch this node committed, if it committed one. */
    public Optional<TreeHead> committedHead() {
        return Optional.ofNullable(committedHead);
    }

    private Batch begin(UnitOfWork<?> unitOfWork) {
        TiledLog start = committed == null ? store.loadLog() : committed;
        Batch batch = new Batch(start.size(), start.copy(), committed == null ? null : lastToken, store);
        unitOfWork.onPrepareCommit(ignored -> store.write(batch.completed, batch.log, batch.startSize));
        unitOfWork.afterCommit(ignored -> {
            committed = batch.log;
            committedHead = batch.log.head();
            lastToken = batch.previous;
        });
        unitOfWork.onRollback(ignored -> {
            committed = null;
            lastToken = null;
        });
        return batch;
    }

    /** The stored columns of the event, from the serialized form the event store read (not a re-serialization). */
    private EventRow rowOf(EventMessage<?> event, long position) {
        SerializedObject<byte[]> payload = event.serializePayload(eventSerializer, byte[].class);
        byte[] metaData = event.serializeMetaData(eventSerializer, byte[].class).getData();
        if (event instanceof DomainEventMessage<?> domain) {
            return new EventRow(position, domain.getAggregateIdentifier(), domain.getSequenceNumber(),
                    payload.getType().getName(), payload.getData(), metaData);
        }
        // Axon's JDBC store keeps an event of no aggregate under its own identifier, at sequence 0
        return new EventRow(position, event.getIdentifier(), 0, payload.getType().getName(), payload.getData(),
                metaData);
    }

    /** The lowest position that may still become visible after this event: the token's first gap, or the next. */
    static long settledAfter(TrackingToken token, long position) {
        return WrappedToken.unwrap(token, GapAwareTrackingToken.class)
                .map(gapAware -> gapAware.getGaps().isEmpty() ? gapAware.getIndex() + 1 : gapAware.getGaps().first())
                .orElse(position + 1);
    }

    /** What one unit of work appends: its own copy of the log, stored at prepare-commit. */
    private static final class Batch {

        private final long startSize;
        private final TiledLog log;
        private final LogStore store;
        private final List<CompletedTile> completed = new ArrayList<>();
        /** The token of the event before the current one, when known. */
        private GapAwareTrackingToken previous;

        Batch(long startSize, TiledLog log, GapAwareTrackingToken previous, LogStore store) {
            this.startSize = startSize;
            this.log = log;
            this.previous = previous;
            this.store = store;
        }

        /**
         * The event's global index. A gap-aware token's index is the highest position seen, not the event's own, so
         * it is read from how the token moved since the event before: a token whose index grew was advanced to this
         * event; one whose index stayed filled a gap, the highest that it lost (Axon drops only gaps below the one it
         * fills). Only when the event before is unknown (the first batch after a start or a failure) or the tokens do
         * not fit is the position looked up in the event table.
         */
        long positionOf(TrackingToken token, String eventIdentifier) {
            Optional<GapAwareTrackingToken> gapAware = WrappedToken.unwrap(token, GapAwareTrackingToken.class);
            if (gapAware.isEmpty()) {
                return token.position().orElseThrow(() -> new IllegalStateException("a tracking token without a"
                        + " position: " + token));
            }
            GapAwareTrackingToken current = gapAware.get();
            long position = -1;
            if (previous != null && current.getIndex() > previous.getIndex()) {
                position = current.getIndex();
            } else if (previous != null && current.getIndex() == previous.getIndex()) {
                SortedSet<Long> filled = new TreeSet<>(previous.getGaps());
                filled.removeAll(current.getGaps());
                position = filled.isEmpty() ? -1 : filled.last();
            }
            previous = current;
            return position >= 0 ? position : store.positionOfEvent(eventIdentifier);
        }

        void append(long position, byte[] leafHash, long settled) {
            CompletedTile tile = log.append(position, leafHash, settled);
            if (tile != null) {
                completed.add(tile);
            }
        }
    }
}
