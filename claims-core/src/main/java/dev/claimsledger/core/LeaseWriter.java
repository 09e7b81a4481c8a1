package dev.claimsledger.core;

import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.RecordHeartbeat;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records heartbeats with group commit: the heartbeats that callers hand in while a commit is in flight are decided
 * together and stored in the next transaction, as PostgreSQL's WAL and log stores group their writes. One thread per
 * node decides and commits, so the heartbeats of one stream are decided in the order they arrived, each on the state
 * the one before it left.
 *
 * <p>The guarantees are those of a command on the bus:
 * <ul>
 * <li><b>Decided as the aggregate decides</b>: by {@link ClaimDecisions}, on the stream's head (its current term and
 * the last event's sequence number and chain hash). Heads are kept in memory between groups; a stream not held is
 * folded from its latest snapshot and the events after it.</li>
 * <li><b>Answered only once stored</b>: a caller's future completes after the group's transaction has committed.</li>
 * <li><b>Safe with several nodes</b>: a kept head is used without reading the store first; the store's unique
 * (stream, sequence) key does that check instead. When another node (or this node's command bus) appended to a stream
 * meanwhile, the group's append fails, every stream whose stored sequence moved is read again, and the whole group is
 * decided again. A rejection decided on a kept head is decided again on the stored stream before it is answered, so a
 * stale head never refuses a valid heartbeat.</li>
 * <li><b>Every heartbeat its own event</b>, chained to the one before it by {@link EventChain}, with the ledger time
 * of its decision as its timestamp and nothing in its metadata but its chain hash, and an identifier derived from its
 * stream and sequence number (a form that a compacted history can give back exactly).</li>
 * </ul>
 * A batch a caller hands in is never split between transactions.
 */
public final class LeaseWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseWriter.class);
    /** The aggregate type stored with the events, as Axon stores it for the {@link Claim} aggregate. */
    static final String AGGREGATE_TYPE = Claim.class.getSimpleName();
    /** At most this many heartbeats go into one transaction, unless one batch alone is larger. */
    static final int GROUP_LIMIT = 2_000;
    private static final int MAX_ATTEMPTS = 8;
    /** A deadlock and a serialization failure: the database rolled the group back; it is safe to decide it again. */
    private static final Set<String> RETRYABLE_SQL_STATES = Set.of("40P01", "40001");

    private final EventStore eventStore;
    private final StoredSequences storedSequences;
    private final TransactionManager transactions;
    private final EventChain chain;
    private final Clock clock;
    private final Snapshotter snapshotter;
    private final int snapshotThreshold;
    private final Map<String, StreamHead> heads;
    private final BlockingQueue<Submission> submissions;
    private final Thread writer;
    private volatile boolean running = true;

    /**
     * @param snapshotThreshold a stream is snapshotted once reading it took this many events after its snapshot
     * @param capacity        how many streams' heads to keep in memory; 0 reads every stream from the store
     * @param waitingCapacity how many callers' submissions may wait; beyond it {@link #record} refuses at once
     */
    public LeaseWriter(EventStore eventStore, StoredSequences storedSequences, TransactionManager transactions,
                       EventChain chain, Clock clock, Snapshotter snapshotter, int snapshotThreshold, int capacity,
                       int waitingCapacity) {
        this.eventStore = eventStore;
        this.storedSequences = storedSequences;
        this.transactions = transactions;
        this.chain = chain;
        this.clock = clock;
        this.snapshotter = snapshotter;
        this.snapshotThreshold = snapshotThreshold;
        this.heads = new LinkedHashMap<>(Math.max(16, Math.min(capacity, 1024)), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, StreamHead> eldest) {
                return size() > capacity;
            }
        };
        this.submissions = new LinkedBlockingQueue<>(waitingCapacity);
        this.writer = new Thread(this::writeGroups, "lease-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Reads the last stored sequence number of many streams at once, to find those another writer moved. */
    @FunctionalInterface
    public interface StoredSequences {

        /** The last stored sequence number of each of {@code streams} that has events. */
        Map<String, Long> lastOf(Collection<String> streams);
    }

    /** The outcome of one heartbeat: the claim after it, or why it was rejected. */
    public record Outcome(ClaimCommandResult result, ClaimRejectedException rejection) {
    }

    /**
     * Hands {@code heartbeats} in, to be decided and stored in one transaction; each future completes once that
     * transaction has committed (or exceptionally when storing failed). A caller that stops waiting cancels its
     * futures: heartbeats not decided yet are then dropped.
     *
     * @throws ClaimRejectedException {@code validation_failed} for a malformed heartbeat, before any is handed in
     * @throws IllegalStateException  when too many heartbeats are waiting already
     */
    public List<CompletableFuture<Outcome>> record(List<RecordHeartbeat> heartbeats) {
        heartbeats.forEach(ClaimCommandValidation::check);
        List<CompletableFuture<Outcome>> outcomes = heartbeats.stream()
                .map(heartbeat -> new CompletableFuture<Outcome>()).toList();
        if (!running || !submissions.offer(new Submission(List.copyOf(heartbeats), outcomes))) {
            throw new IllegalStateException(running ? "too many heartbeats are waiting to be stored" : "shut down");
        }
        return outcomes;
    }

    /** Forgets the kept head of {@code streamId}: the next heartbeat of it reads the stream from the store. */
    public void forget(String streamId) {
        synchronized (heads) {
            heads.remove(streamId);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        writer.interrupt();
        writer.join(TimeUnit.SECONDS.toMillis(10));
        Submission left;
        while ((left = submissions.poll()) != null) {
            left.outcomes().forEach(outcome -> outcome.completeExceptionally(new IllegalStateException("shut down")));
        }
    }

    private void writeGroups() {
        while (running) {
            List<Submission> group = new ArrayList<>();
            try {
                group.add(submissions.take());
                int size = group.get(0).heartbeats().size();
                while (size < GROUP_LIMIT && submissions.peek() != null
                        && size + submissions.peek().heartbeats().size() <= GROUP_LIMIT) {
                    Submission next = submissions.poll();
                    group.add(next);
                    size += next.heartbeats().size();
                }
                write(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                group.forEach(submission -> submission.failAll(new IllegalStateException("shut down", e)));
                return;
            } catch (RuntimeException | Error e) {
                // the writer never dies: the group's callers learn why, the next group is tried afresh
                log.error("storing a group of heartbeats failed", e);
                group.forEach(submission -> submission.failAll(e));
                synchronized (heads) {
                    heads.clear();
                }
            }
        }
    }

    /** Decides and stores one group, deciding it again whenever it lost a race; completes its callers' futures. */
    private void write(List<Submission> group) throws InterruptedException {
        Set<String> fresh = new HashSet<>();
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            Decided decided = decide(group, fresh);
            if (!decided.staleRejections().isEmpty() && attempt < MAX_ATTEMPTS) {
                reread(decided.staleRejections(), fresh);
                continue;
            }
            try {
                store(decided.events());
            } catch (ConcurrencyException lost) {
                log.debug("a group of {} heartbeats lost a race (attempt {}): {}", decided.events().size(), attempt,
                        lost.getMessage());
                if (attempt == MAX_ATTEMPTS) {
                    decided.failAccepted(new ClaimRejectedException(ClaimErrorCode.CONFLICT,
                            "concurrent changes to this consumer kept winning; retry later"));
                    return;
                }
                reread(movedStreams(decided.basis()), fresh);
                backOff(attempt);
                continue;
            }
            synchronized (heads) {
                heads.putAll(decided.after());
            }
            decided.complete();
            log.debug("stored {} heartbeats of {} callers in {} µs, attempt {}", decided.events().size(), group.size(),
                    (System.nanoTime() - started) / 1000, attempt);
            return;
        }
    }

    /** Decides every heartbeat of the group in order, each on the head the one before it left. */
    private Decided decide(List<Submission> group, Set<String> fresh) {
        Map<String, StreamHead> basis = new HashMap<>();
        Map<String, StreamHead> after = new HashMap<>();
        Decided decided = new Decided(basis, after);
        for (Submission submission : group) {
            for (int index = 0; index < submission.heartbeats().size(); index++) {
                CompletableFuture<Outcome> outcome = submission.outcomes().get(index);
                if (outcome.isDone()) {
                    continue;
                }
                RecordHeartbeat heartbeat = submission.heartbeats().get(index);
                String stream = heartbeat.streamId();
                StreamHead head = after.containsKey(stream) ? after.get(stream)
                        : basis.computeIfAbsent(stream, unknown -> head(unknown, fresh));
                try {
                    HeartbeatReceived event = ClaimDecisions.heartbeat(heartbeat.tenantId(), heartbeat.consumerId(),
                            head.current(), heartbeat.epoch(), heartbeat.reportedAt(), clock.instant());
                    long sequence = head.chain().nextSequence();
                    String hash = chain.hashOf(stream, sequence, event, head.chain().hash());
                    StreamHead next = head.after(event, sequence, hash);
                    after.put(stream, next);
                    decided.accept(outcome, message(stream, sequence, event, hash), next);
                } catch (ClaimRejectedException rejected) {
                    if (fresh.contains(stream)) {
                        decided.reject(outcome, rejected);
                    } else {
                        decided.staleRejections().add(stream);
                    }
                }
            }
        }
        return decided;
    }

    /** The kept head of the stream, or the stream as stored (which then counts as {@code fresh}). */
    private StreamHead head(String streamId, Set<String> fresh) {
        synchronized (heads) {
            StreamHead kept = heads.get(streamId);
            if (kept != null && !fresh.contains(streamId)) {
                return kept;
            }
        }
        fresh.add(streamId);
        return StreamHead.fold(streamId, eventStore.readEvents(streamId), events -> {
            if (events >= snapshotThreshold) {
                snapshotter.scheduleSnapshot(Claim.class, streamId);
            }
        });
    }

    /** Reads {@code streams} from the store again, so that the next attempt decides on what is stored. */
    private void reread(Set<String> streams, Set<String> fresh) {
        synchronized (heads) {
            streams.forEach(heads::remove);
        }
        fresh.addAll(streams);
    }

    /** The streams whose stored last sequence number is no longer the one the group was decided on. */
    private Set<String> movedStreams(Map<String, StreamHead> basis) {
        Map<String, Long> stored = storedSequences.lastOf(basis.keySet());
        Set<String> moved = new HashSet<>();
        basis.forEach((stream, head) -> {
            if (stored.getOrDefault(stream, -1L) != head.chain().sequence()) {
                moved.add(stream);
            }
        });
        return moved;
    }

    /**
     * A short random pause before deciding a group again, so that two nodes racing for the same streams fall out of
     * step instead of colliding again at once.
     */
    private static void backOff(int attempt) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L << Math.min(attempt, 6)));
    }

    /**
     * Stores the group's events in one transaction, in stream order: two nodes storing groups that share streams then
     * take the streams' index entries in the same order, so one waits for the other instead of both deadlocking.
     */
    private void store(List<DomainEventMessage<?>> events) {
        if (events.isEmpty()) {
            return;
        }
        List<DomainEventMessage<?>> inStreamOrder = new ArrayList<>(events);
        inStreamOrder.sort(Comparator.<DomainEventMessage<?>, String>comparing(DomainEventMessage::getAggregateIdentifier)
                .thenComparingLong(DomainEventMessage::getSequenceNumber));
        UnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(GenericMessage.asMessage(events.size()));
        try {
            unitOfWork.attachTransaction(transactions);
            eventStore.publish(inStreamOrder);
            unitOfWork.commit();
        } catch (RuntimeException e) {
            if (unitOfWork.isActive()) {
                unitOfWork.rollback(e);
            }
            throw isLostRace(e) ? new ConcurrencyException("another writer appended to a stream of the group", e) : e;
        }
    }

    /** Another writer appended first, or the database rolled the group back as a deadlock or serialization victim. */
    private static boolean isLostRace(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConcurrencyException
                    || cause instanceof SQLException sql && RETRYABLE_SQL_STATES.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The stored form of a heartbeat: the ledger time as its timestamp, its chain hash as its only metadata, and an
     * identifier derived from its place in the stream, so that nothing random is stored with it.
     */
    private static DomainEventMessage<?> message(String stream, long sequence, HeartbeatReceived event, String hash) {
        return new GenericDomainEventMessage<>(AGGREGATE_TYPE, stream, sequence, event,
                MetaData.with(EventChain.HASH_KEY, hash), eventIdentifier(stream, sequence), event.receivedAt());
    }

    /** A name-based UUID of the stream and sequence number: unique, and the same every time it is derived. */
    static String eventIdentifier(String stream, long sequence) {
        return UUID.nameUUIDFromBytes((stream + "#" + sequence).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** One caller's heartbeats and their futures, in order. */
    private record Submission(List<RecordHeartbeat> heartbeats, List<CompletableFuture<Outcome>> outcomes) {

        void failAll(Throwable failure) {
            outcomes.forEach(outcome -> outcome.completeExceptionally(failure));
        }
    }

    /** One attempt's decisions. */
    private static final class Decided {

        private final Map<String, StreamHead> basis;
        private final Map<String, StreamHead> after;
        private final List<DomainEventMessage<?>> events = new ArrayList<>();
        private final List<CompletableFuture<Outcome>> accepted = new ArrayList<>();
        private final List<StreamHead> acceptedHeads = new ArrayList<>();
        private final Map<CompletableFuture<Outcome>, ClaimRejectedException> rejected = new HashMap<>();
        private final Set<String> staleRejections = new HashSet<>();

        Decided(Map<String, StreamHead> basis, Map<String, StreamHead> after) {
            this.basis = basis;
            this.after = after;
        }

        void accept(CompletableFuture<Outcome> outcome, DomainEventMessage<?> event, StreamHead head) {
            accepted.add(outcome);
            acceptedHeads.add(head);
            events.add(event);
        }

        void reject(CompletableFuture<Outcome> outcome, ClaimRejectedException rejection) {
            rejected.put(outcome, rejection);
        }

        Map<String, StreamHead> basis() {
            return basis;
        }

        Map<String, StreamHead> after() {
            return after;
        }

        List<DomainEventMessage<?>> events() {
            return events;
        }

        Set<String> staleRejections() {
            return staleRejections;
        }

        void complete() {
            for (int i = 0; i < accepted.size(); i++) {
                StreamHead head = acceptedHeads.get(i);
                accepted.get(i).complete(new Outcome(new ClaimCommandResult(
                        head.current().toState(head.tenantId(), head.consumerId()), true), null));
            }
            rejected.forEach((outcome, rejection) -> outcome.complete(new Outcome(null, rejection)));
        }

        void failAccepted(ClaimRejectedException conflict) {
            accepted.forEach(outcome -> outcome.complete(new Outcome(null, conflict)));
            rejected.forEach((outcome, rejection) -> outcome.complete(new Outcome(null, rejection)));
        }
    }
}
