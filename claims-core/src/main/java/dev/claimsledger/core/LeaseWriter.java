package dev.claimsledger.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.core.LastEvents.LastEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the events that keep leases alive and end them: heartbeats, handed in by callers, and expiries, decided when
 * a lease watchdog of {@link LeaseDeadlines} comes due. It commits them in groups (group commit): what arrives while a
 * commit is in flight is decided together and stored in the next transaction, as PostgreSQL's WAL and log stores
 * group their writes, and every {@code sweep interval} the due watchdogs join the next group, up to a thousand at a
 * time. One thread per node decides and commits, so the events of one stream are decided in the order they arrive,
 * each on the state the one before it left.
 *
 * <p>The guarantees are those of a command on the bus:
 * <ul>
 * <li><b>Decided as the aggregate decides</b>, by {@link ClaimDecisions}, on the stream's head (its current term and
 * its last event's sequence number and chain hash). Heads are kept in memory between groups; a stream not held is
 * folded from its latest snapshot and the events after it. A due watchdog is decided on its stream's last event as
 * stored (unless a heartbeat of the same group decided on it first), since retiring or following it appends nothing
 * that the store's key could refuse.</li>
 * <li><b>Answered only once stored</b>: a caller's future completes after the group's events have committed; a
 * watchdog's row changes (follow the renewed lease, retire) commit with them, in one transaction. A group without due
 * watchdogs writes nothing but its events, in one append that the store commits whole without a transaction around
 * it: on PostgreSQL that is one round trip to the database instead of two.</li>
 * <li><b>Safe with several nodes</b>: a kept head is used without reading the store first; the store's unique
 * (stream, sequence) key does that check instead. When another node (or this node's command bus) appended to a stream
 * meanwhile, the group's append fails, every stream whose stored sequence moved is read again, and the group is
 * decided again. A rejection decided on a kept head is decided again on the stored stream before it is answered. On
 * PostgreSQL, each node's sweep skips watchdogs that another node's sweep holds.</li>
 * <li><b>Every event on its own</b>, chained to the one before it by {@link EventChain}, with the ledger time of its
 * decision as its timestamp, its chain hash as its only metadata, and an identifier derived from its stream and
 * sequence number: nothing random is stored with it, so that a compacted history can give it back exactly.</li>
 * <li><b>Never stuck on one bad stream</b>: a group that fails for another reason than a lost race fails its callers
 * (who may retry) and postpones its due watchdogs with a pause that doubles, up to
 * {@link LeaseDeadlines#LONGEST_RETRY_PAUSE}; the writer goes on with the next group.</li>
 * </ul>
 * A batch a caller hands in is never split between transactions.
 */
public final class LeaseWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseWriter.class);
    /** One line per sweep that found due watchdogs: at info when it was slower than the sweep interval. */
    private static final Logger sweeps = LoggerFactory.getLogger(LeaseWriter.class.getName() + ".sweeps");
    /** The aggregate type stored with the events, as Axon stores it for the {@link Claim} aggregate. */
    static final String AGGREGATE_TYPE = Claim.class.getSimpleName();
    /** At most this many heartbeats go into one transaction, unless one batch alone is larger. */
    static final int GROUP_LIMIT = 2_000;
    /** At most this many due watchdogs join one group. */
    static final int SWEEP_LIMIT = 1_000;
    private static final int MAX_ATTEMPTS = 8;
    /** The resource that marks the writer's own units of work. */
    private static final String WRITING = LeaseWriter.class.getName() + ".writing";

    private final EventStore eventStore;
    private final LastEvents lastEvents;
    private final LeaseDeadlines deadlines;
    private final TransactionManager transactions;
    private final EventChain chain;
    private final Clock clock;
    private final Snapshotter snapshotter;
    private final Settings settings;
    private final Map<String, StreamHead> heads;
    private final BlockingQueue<Submission> submissions;
    private final Thread writer;
    private volatile boolean running = true;

    /**
     * @param keptStreams       how many streams' heads to keep in memory; 0 reads every stream from the store
     * @param waitingCallers    how many callers' submissions may wait; beyond it {@link #record} refuses at once
     * @param snapshotThreshold a stream is snapshotted once reading it took this many events after its snapshot
     * @param sweepInterval     how often due watchdogs are looked for; bounds how late an expiry is recorded
     */
    public record Settings(int keptStreams, int waitingCallers, int snapshotThreshold, Duration sweepInterval) {
    }

    public LeaseWriter(EventStore eventStore, DataSource dataSource, ObjectMapper storedFormat,
                       LeaseDeadlines deadlines, TransactionManager transactions, EventChain chain, Clock clock,
                       Snapshotter snapshotter, Settings settings) {
        this.eventStore = eventStore;
        this.lastEvents = new LastEvents(dataSource, storedFormat);
        this.deadlines = deadlines;
        this.transactions = transactions;
        this.chain = chain;
        this.clock = clock;
        this.snapshotter = snapshotter;
        this.settings = settings;
        int kept = settings.keptStreams();
        this.heads = new LinkedHashMap<>(Math.max(16, Math.min(kept, 1024)), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, StreamHead> eldest) {
                return size() > kept;
            }
        };
        this.submissions = new LinkedBlockingQueue<>(settings.waitingCallers());
        this.writer = new Thread(this::writeGroups, "lease-writer");
        this.writer.setDaemon(true);
    }

    /** Starts writing: heartbeats handed in from now on are stored, and due watchdogs looked for. */
    public void start() {
        writer.start();
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
     * @throws IllegalStateException  when too many callers are waiting already
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

    /**
     * Follows events committed to a stream outside this writer, by this node's command bus (a claim, a release): the
     * kept head moves on with them, so that the next heartbeat, typically the first after a claim, is decided without
     * reading the stream. Call it only after their transaction committed. Events the kept head already holds change
     * nothing; when the head is not kept, or not at the event before them, it is forgotten, and read from the store
     * when next needed.
     *
     * @param events the events of one stream, in sequence order
     */
    public void committed(String streamId, List<? extends DomainEventMessage<?>> events) {
        if (events.isEmpty()) {
            return;
        }
        long first = events.get(0).getSequenceNumber();
        synchronized (heads) {
            StreamHead head = first == 0 ? StreamHead.empty(streamId) : heads.get(streamId);
            if (head != null && head.chain().sequence() >= events.get(events.size() - 1).getSequenceNumber()) {
                return;
            }
            if (head == null || head.chain().sequence() != first - 1) {
                heads.remove(streamId);
                return;
            }
            for (DomainEventMessage<?> event : events) {
                head = head.after(event.getPayload(), event.getSequenceNumber(),
                        (String) event.getMetaData().get(EventChain.HASH_KEY));
            }
            heads.put(streamId, head);
        }
    }

    /**
     * Whether {@code unitOfWork} is one of the writer's own: the heads of what it stores move on once it has
     * committed, without {@link #committed} being told.
     */
    public static boolean isWriting(UnitOfWork<?> unitOfWork) {
        return unitOfWork.root().resources().containsKey(WRITING);
    }

    /** Whether the head of {@code streamId} is kept, so that its next heartbeat is decided without reading it. */
    public boolean keepsHead(String streamId) {
        synchronized (heads) {
            return heads.containsKey(streamId);
        }
    }

    /**
     * Stops writing once the group in flight is stored. The writer is never interrupted: an interrupt in the middle
     * of a write can close the embedded database's file.
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        if (writer.isAlive()) {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        }
        Submission left;
        while ((left = submissions.poll()) != null) {
            left.failAll(new IllegalStateException("shut down"));
        }
    }

    private void writeGroups() {
        Instant nextSweep = clock.instant();
        while (running) {
            List<Submission> group = new ArrayList<>();
            try {
                long untilSweep = Math.max(0, Duration.between(clock.instant(), nextSweep).toMillis());
                Submission first = submissions.poll(untilSweep, TimeUnit.MILLISECONDS);
                if (first != null) {
                    group.add(first);
                    drainInto(group);
                }
                boolean sweep = !clock.instant().isBefore(nextSweep);
                if (group.isEmpty() && !sweep) {
                    continue;
                }
                int swept = write(group, sweep);
                if (sweep) {
                    // a full sweep means more may be due: look again at once
                    nextSweep = swept == SWEEP_LIMIT ? clock.instant() : clock.instant().plus(settings.sweepInterval());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                group.forEach(submission -> submission.failAll(new IllegalStateException("shut down", e)));
                return;
            } catch (RuntimeException | Error e) {
                // the writer never dies: the group's callers learn why, the next group is tried afresh
                log.error("writing a group of heartbeats and expiries failed", e);
                group.forEach(submission -> submission.failAll(e));
                synchronized (heads) {
                    heads.clear();
                }
                nextSweep = clock.instant().plus(settings.sweepInterval());
            }
        }
    }

    private void drainInto(List<Submission> group) {
        int size = group.get(0).heartbeats().size();
        Submission next;
        while (size < GROUP_LIMIT && (next = submissions.peek()) != null
                && size + next.heartbeats().size() <= GROUP_LIMIT) {
            group.add(submissions.poll());
            size += next.heartbeats().size();
        }
    }

    /**
     * Decides and stores one group, deciding it again whenever it lost a race, and completes its callers' futures.
     *
     * @return how many due watchdogs the group took
     */
    private int write(List<Submission> group, boolean sweep) throws InterruptedException {
        Set<String> fresh = new HashSet<>();
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            UnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(GenericMessage.asMessage(attempt));
            unitOfWork.resources().put(WRITING, Boolean.TRUE);
            Decided decided = null;
            try {
                if (sweep) {
                    // the sweep's rows are locked and changed with its events; a group of heartbeats alone is one
                    // append, which the store commits whole by itself (on PostgreSQL in one round trip)
                    unitOfWork.attachTransaction(transactions);
                }
                long attemptStarted = System.nanoTime();
                Instant sweptAt = sweep ? clock.instant() : null;
                List<LeaseDeadlines.Due> due = sweep ? deadlines.due(sweptAt, SWEEP_LIMIT) : List.of();
                long dueRead = System.nanoTime();
                decided = decide(group, due, fresh);
                if (!decided.staleRejections.isEmpty() && attempt < MAX_ATTEMPTS) {
                    unitOfWork.rollback();
                    reread(decided.staleRejections, fresh);
                    continue;
                }
                long decidedAt = System.nanoTime();
                store(decided);
                unitOfWork.commit();
                if (!due.isEmpty()) {
                    logSweep(due, sweptAt, decided, attemptStarted, dueRead, decidedAt, System.nanoTime());
                }
            } catch (RuntimeException e) {
                if (unitOfWork.isActive()) {
                    unitOfWork.rollback(e);
                }
                if (!isLostRace(e)) {
                    if (sweep) {
                        postponeDueWatchdogs(e);
                    }
                    throw e;
                }
                log.debug("a group lost a race (attempt {}): {}", attempt, e.getMessage());
                if (attempt == MAX_ATTEMPTS) {
                    conflict(group);
                    return 0;
                }
                reread(decided == null ? Set.of() : movedStreams(decided), fresh);
                backOff(attempt);
                continue;
            }
            synchronized (heads) {
                heads.putAll(decided.kept);
                decided.forgotten.forEach(heads::remove);
            }
            decided.complete();
            log.debug("stored {} events ({} expiries) of {} callers in {} µs, attempt {}", decided.events.size(),
                    decided.expiries, group.size(), (System.nanoTime() - started) / 1000, attempt);
            return decided.due;
        }
    }

    /**
     * Says how long a sweep that found due watchdogs took, by step, and how late its earliest watchdog was taken: at
     * info when it took longer than the sweep interval, because its expiries are then recorded that much later.
     */
    private void logSweep(List<LeaseDeadlines.Due> due, Instant sweptAt, Decided decided, long started, long dueRead,
                          long decidedAt, long committed) {
        boolean slow = Duration.ofNanos(committed - started).compareTo(settings.sweepInterval()) > 0;
        if (!(slow ? sweeps.isInfoEnabled() : sweeps.isDebugEnabled())) {
            return;
        }
        String message = "swept {} due watchdogs ({} expired, the earliest {} ms past due) in {} ms: finding them {} ms,"
                + " deciding {} ms, storing and committing {} ms";
        Object[] arguments = {due.size(), decided.expiries,
                Duration.between(due.get(0).dueAt(), sweptAt).toMillis(), millis(committed - started),
                millis(dueRead - started), millis(decidedAt - dueRead), millis(committed - decidedAt)};
        if (slow) {
            sweeps.info(message, arguments);
        } else {
            sweeps.debug(message, arguments);
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** Decides every heartbeat of the group in order, then every due watchdog, each on the head the last one left. */
    private Decided decide(List<Submission> group, List<LeaseDeadlines.Due> due, Set<String> fresh) {
        Decided decided = new Decided(due.size());
        for (Submission submission : group) {
            for (int index = 0; index < submission.heartbeats().size(); index++) {
                CompletableFuture<Outcome> outcome = submission.outcomes().get(index);
                if (!outcome.isDone()) {
                    decideHeartbeat(submission.heartbeats().get(index), outcome, decided, fresh);
                }
            }
        }
        // a watchdog is decided on its stream as stored, never on a kept head: retiring or following it appends
        // nothing, so no key would refuse a decision taken on a head another node or the command bus has moved on
        List<String> unknown = due.stream().map(LeaseDeadlines.Due::streamId)
                .filter(stream -> !decided.heads.containsKey(stream)).toList();
        Map<String, LastEvent> stored = unknown.isEmpty() ? Map.of() : lastEvents.of(unknown);
        fresh.addAll(unknown);
        for (LeaseDeadlines.Due watchdog : due) {
            decideWatchdog(watchdog, stored.get(watchdog.streamId()), decided);
        }
        return decided;
    }

    private void decideHeartbeat(RecordHeartbeat heartbeat, CompletableFuture<Outcome> outcome, Decided decided,
                                 Set<String> fresh) {
        String stream = heartbeat.streamId();
        StreamHead head = decided.heads.computeIfAbsent(stream, unknown -> head(unknown, fresh));
        decided.basis.putIfAbsent(stream, head.chain().sequence());
        try {
            HeartbeatReceived event = ClaimDecisions.heartbeat(heartbeat.tenantId(), heartbeat.consumerId(),
                    head.current(), heartbeat.epoch(), heartbeat.reportedAt(), clock.instant());
            StreamHead next = append(decided, head.chain(), stream, event,
                    (sequence, hash) -> head.after(event, sequence, hash));
            decided.heads.put(stream, next);
            decided.kept.put(stream, next);
            decided.accepted.add(outcome);
            decided.acceptedHeads.add(next);
        } catch (ClaimRejectedException rejected) {
            if (fresh.contains(stream)) {
                decided.rejected.put(outcome, rejected);
            } else {
                decided.staleRejections.add(stream);
            }
        }
    }

    /**
     * Decides a due watchdog on the stream's head if a heartbeat of this group decided on it, else on its last stored
     * event, and records what becomes of its row.
     */
    private void decideWatchdog(LeaseDeadlines.Due due, LastEvent last, Decided decided) {
        String stream = due.streamId();
        Instant now = clock.instant();
        StreamHead head = decided.heads.get(stream);
        ClaimDecisions.Watchdog decision;
        if (head != null) {
            decision = ClaimDecisions.watchdog(head.tenantId(), head.consumerId(), head.current(), due.epoch(), now);
        } else if (last != null) {
            decision = ClaimDecisions.watchdog(last.tenantId(), last.consumerId(), last.epoch(), last.active(),
                    last.leaseEnd(), due.epoch(), now);
        } else {
            decision = new ClaimDecisions.Watchdog.Retire();
        }
        decided.basis.putIfAbsent(stream, head != null ? head.chain().sequence()
                : last != null ? last.chain().sequence() : -1L);
        if (decision instanceof ClaimDecisions.Watchdog.Follow follow) {
            decided.rowChanges.add(LeaseDeadlines.Change.follow(stream, due.epoch(), follow.leaseEnd()));
        } else if (decision instanceof ClaimDecisions.Watchdog.Retire) {
            decided.rowChanges.add(LeaseDeadlines.Change.retire(stream, due.epoch()));
        } else if (decision instanceof ClaimDecisions.Watchdog.Expire expire) {
            ClaimLeaseExpired event = expire.event();
            ChainHead chained = head != null ? head.chain() : last.chain();
            StreamHead next = append(decided, chained, stream, event,
                    (sequence, hash) -> head != null ? head.after(event, sequence, hash) : null);
            if (next != null) {
                decided.heads.put(stream, next);
                decided.kept.put(stream, next);
            } else {
                decided.forgotten.add(stream);
            }
            decided.rowChanges.add(LeaseDeadlines.Change.retire(stream, due.epoch()));
            decided.expiries++;
        }
    }

    /** Adds the group's next event of {@code stream}, chained to {@code previous}; the head after it. */
    private StreamHead append(Decided decided, ChainHead previous, String stream, Object event, Chained<StreamHead> next) {
        long sequence = previous.nextSequence();
        EventChain.Serialized serialized = chain.serialized(stream, sequence, event, previous.hash());
        decided.events.add(new GenericDomainEventMessage<>(AGGREGATE_TYPE, stream, sequence,
                new ChainedPayloadMessage<>(CanonicalForm.eventIdentifier(stream, sequence), event, serialized),
                ledgerTime(event)));
        return next.after(sequence, serialized.hash());
    }

    /** The kept head of the stream, unless it was read from the store during this group; null when none is kept. */
    private StreamHead kept(String streamId, Set<String> fresh) {
        if (fresh.contains(streamId)) {
            return null;
        }
        synchronized (heads) {
            return heads.get(streamId);
        }
    }

    /** The kept head of the stream, or the stream as stored (which then counts as {@code fresh}). */
    private StreamHead head(String streamId, Set<String> fresh) {
        StreamHead kept = kept(streamId, fresh);
        if (kept != null) {
            return kept;
        }
        fresh.add(streamId);
        return StreamHead.fold(streamId, eventStore.readEvents(streamId), events -> {
            if (events >= settings.snapshotThreshold()) {
                snapshotter.scheduleSnapshot(Claim.class, streamId);
            }
        });
    }

    /** Reads {@code streams} from the store again, so that the next attempt decides on what is stored. */
    private void reread(Set<String> streams, Set<String> fresh) {
        synchronized (heads) {
            streams.forEach(heads::remove);
        }
        fresh.removeAll(streams);
    }

    /** The streams the group touched whose stored last sequence number is no longer the one it decided on. */
    private Set<String> movedStreams(Decided decided) {
        Map<String, Long> stored = lastEvents.sequences(decided.basis.keySet());
        Set<String> moved = new HashSet<>();
        decided.basis.forEach((stream, sequence) -> {
            if (stored.getOrDefault(stream, -1L) != sequence) {
                moved.add(stream);
            }
        });
        return moved;
    }

    /**
     * Stores the group in the unit of work's transaction: the watchdogs' row changes, then the events in stream order
     * (two nodes storing groups that share streams then take the streams' index entries in the same order, so one
     * waits for the other instead of both deadlocking).
     */
    private void store(Decided decided) {
        deadlines.apply(decided.rowChanges);
        if (decided.events.isEmpty()) {
            return;
        }
        List<DomainEventMessage<?>> inStreamOrder = new ArrayList<>(decided.events);
        inStreamOrder.sort(Comparator.<DomainEventMessage<?>, String>comparing(DomainEventMessage::getAggregateIdentifier)
                .thenComparingLong(DomainEventMessage::getSequenceNumber));
        eventStore.publish(inStreamOrder);
    }

    /** The group failed for another reason than a lost race: its due watchdogs are tried again after a pause. */
    private void postponeDueWatchdogs(RuntimeException cause) {
        UnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(GenericMessage.asMessage("postpone"));
        try {
            unitOfWork.attachTransaction(transactions);
            Instant now = clock.instant();
            deadlines.due(now, SWEEP_LIMIT).forEach(due -> deadlines.postpone(due, now));
            unitOfWork.commit();
        } catch (RuntimeException e) {
            if (unitOfWork.isActive()) {
                unitOfWork.rollback(e);
            }
            cause.addSuppressed(e);
        }
    }

    /** Every heartbeat of the group that was to be stored answers {@code conflict}: the race was lost too often. */
    private static void conflict(List<Submission> group) {
        ClaimRejectedException conflict = new ClaimRejectedException(ClaimErrorCode.CONFLICT,
                "concurrent changes to this consumer kept winning; retry later");
        group.forEach(submission -> submission.outcomes()
                .forEach(outcome -> outcome.complete(new Outcome(null, conflict))));
    }

    /** Another writer appended first, or the database rolled the group back as a deadlock or serialization victim. */
    private static boolean isLostRace(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConcurrencyException || LastEvents.isRollbackVictim(cause)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A short random pause before deciding a group again, so that two nodes racing for the same streams fall out of
     * step instead of colliding again at once.
     */
    private static void backOff(int attempt) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L << Math.min(attempt, 6)));
    }

    private static Instant ledgerTime(Object event) {
        if (event instanceof HeartbeatReceived heartbeat) {
            return heartbeat.receivedAt();
        }
        return ((ClaimLeaseExpired) event).expiredAt();
    }

    @FunctionalInterface
    private interface Chained<T> {
        T after(long sequence, String hash);
    }

    /** One caller's heartbeats and their futures, in order. */
    private record Submission(List<RecordHeartbeat> heartbeats, List<CompletableFuture<Outcome>> outcomes) {

        void failAll(Throwable failure) {
            outcomes.forEach(outcome -> outcome.completeExceptionally(failure));
        }
    }

    /** One attempt's decisions, and what to do once they are stored. */
    private static final class Decided {

        private final int due;
        private final Map<String, StreamHead> heads = new HashMap<>();
        /** The last sequence number of each stream the group's decisions were taken on. */
        private final Map<String, Long> basis = new HashMap<>();
        private final Map<String, StreamHead> kept = new HashMap<>();
        private final Set<String> forgotten = new HashSet<>();
        private final List<DomainEventMessage<?>> events = new ArrayList<>();
        private final List<LeaseDeadlines.Change> rowChanges = new ArrayList<>();
        private final List<CompletableFuture<Outcome>> accepted = new ArrayList<>();
        private final List<StreamHead> acceptedHeads = new ArrayList<>();
        private final Map<CompletableFuture<Outcome>, ClaimRejectedException> rejected = new HashMap<>();
        private final Set<String> staleRejections = new HashSet<>();
        private int expiries;

        Decided(int due) {
            this.due = due;
        }

        void complete() {
            for (int i = 0; i < accepted.size(); i++) {
                StreamHead head = acceptedHeads.get(i);
                accepted.get(i).complete(new Outcome(new ClaimCommandResult(
                        head.current().toState(head.tenantId(), head.consumerId()), true), null));
            }
            rejected.forEach((outcome, rejection) -> outcome.complete(new Outcome(null, rejection)));
        }
    }
}
