package dev.claimsledger.compaction;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs compactions: by itself every {@code interval}, and on demand. One node at a time compacts (the
 * {@link MaintenanceLock} {@value #LOCK}); on one node, one compaction at a time. Each run is a {@link Compaction}
 * whose progress can be read while it goes. A compaction keeps to its {@link CompactionPace}, pausing between
 * transactions, so that it leaves the machine to the ledger's own work, as Cassandra caps its compaction's throughput;
 * at full speed it took about half of a two-core machine, and single heartbeats fell to a fifth of their rate
 * (BENCHMARKS.md).
 */
public final class Compactions implements AutoCloseable {

    public static final String LOCK = "compaction";
    /** The longest a compaction pauses at once; it renews its lock between pauses. */
    private static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger log = LoggerFactory.getLogger(Compactions.class);

    private final Compactor compactor;
    private final MaintenanceLock lock;
    private final Clock clock;
    private final Duration hotWindow;
    private final CompactionPace pace;
    private final Supplier<PassedPositions> passedPositions;
    private final Listener listener;
    private final Retention retention;
    private final Map<String, Compaction> compactions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "compaction");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Compaction running;

    /** Told what each compaction did, once it is done: for the metrics. */
    @FunctionalInterface
    public interface Listener {
        /** @param retained what retention dropped after the compaction, or null when retention is off */
        void done(Compactor.Result result, HeartbeatRetention.Result retained);
    }

    /**
     * Retention after each compaction: the detail of heartbeats older than {@code olderThan} is exported to
     * {@code exportDirectory}, then dropped.
     */
    public record Retention(HeartbeatRetention retention, Duration olderThan, Path exportDirectory) {
    }

    /**
     * @param pace      how fast a compaction may go
     * @param retention what retention runs after each compaction, or null for none
     */
    public Compactions(Compactor compactor, MaintenanceLock lock, Clock clock, Duration hotWindow, CompactionPace pace,
                       Supplier<PassedPositions> passedPositions, Retention retention, Listener listener) {
        this.pace = pace;
        this.retention = retention;
        this.compactor = compactor;
        this.lock = lock;
        this.clock = clock;
        this.hotWindow = hotWindow;
        this.passedPositions = passedPositions;
        this.listener = listener;
    }

    /** Compacts every {@code interval}, the first time one interval from now. */
    public void startEvery(Duration interval) {
        worker.scheduleWithFixedDelay(() -> {
            try {
                Compaction compaction = begin();
                if (compaction != null) {
                    run(compaction);
                }
            } catch (RuntimeException e) {
                log.warn("a scheduled compaction could not run: {}", e.getMessage());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts a compaction now, in the background.
     *
     * @throws IllegalStateException when a compaction runs already, on this node or another
     */
    public Compaction request() {
        Compaction compaction = begin();
        if (compaction == null) {
            throw new IllegalStateException("a compaction is running already"
                    + Optional.ofNullable(lock.holder()).map(holder -> " (on " + holder + ")").orElse(""));
        }
        worker.execute(() -> run(compaction));
        return compaction;
    }

    /** Compacts now, on the caller's thread, and returns it, done. */
    public Compaction runNow() {
        Compaction compaction = request();
        while (compaction.state() == Compaction.State.RUNNING) {
            sleep();
        }
        if (compaction.state() == Compaction.State.FAILED) {
            throw new IllegalStateException("the compaction failed: " + compaction.failure());
        }
        return compaction;
    }

    public Optional<Compaction> find(String id) {
        return Optional.ofNullable(compactions.get(id));
    }

    private synchronized Compaction begin() {
        if (running != null && running.state() == Compaction.State.RUNNING) {
            return null;
        }
        if (!lock.acquire()) {
            return null;
        }
        Compaction compaction = new Compaction(UUID.randomUUID().toString(), clock.instant());
        compactions.put(compaction.id(), compaction);
        running = compaction;
        return compaction;
    }

    private void run(Compaction compaction) {
        CompactionPace.Run paced = pace.start(System.nanoTime());
        try {
            Compactor.Result result = compactor.compactAll(hotWindow, passedPositions, (processed, total) -> {
                compaction.progress(processed, total);
                long until = paced.pauseUntil(processed, System.nanoTime());
                holdLock();
                for (long pause = until - System.nanoTime(); pause > 0; pause = until - System.nanoTime()) {
                    sleep(Math.min(pause, MAX_PAUSE_NANOS));
                    holdLock();
                }
                paced.resumed(System.nanoTime());
            });
            if (result.heartbeatsCompacted() > 0) {
                log.info("compacted {} heartbeats, {} rows removed, about {} bytes reclaimed",
                        result.heartbeatsCompacted(), result.rowsRemoved(), result.bytesReclaimed());
            }
            HeartbeatRetention.Result retained = null;
            if (retention != null) {
                holdLock();
                retained = retention.retention().dropOlderThan(retention.olderThan(), retention.exportDirectory());
                if (retained.heartbeatsDropped() > 0) {
                    log.info("retention dropped the detail of {} heartbeats older than {}, exported first to {}",
                            retained.heartbeatsDropped(), retention.olderThan(), retained.exportFile());
                }
            }
            compaction.finish(result, retained, clock.instant());
            listener.done(result, retained);
        } catch (RuntimeException e) {
            log.error("compaction {} failed", compaction.id(), e);
            compaction.fail(e.getMessage(), clock.instant());
        } finally {
            lock.release();
        }
    }

    private void holdLock() {
        if (!lock.hold()) {
            throw new IllegalStateException("the compaction lock was taken over by another node");
        }
    }

    private static void sleep() {
        sleep(TimeUnit.MILLISECONDS.toNanos(50));
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compacting", e);
        }
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One compaction and how far it has come. */
    public static final class Compaction {

        public enum State { RUNNING, DONE, FAILED }

        private final String id;
        private final Instant startedAt;
        private volatile long processed;
        private volatile long total;
        private volatile State state = State.RUNNING;
        private volatile Instant finishedAt;
        private volatile String failure;
        private volatile Compactor.Result result;
        private volatile HeartbeatRetention.Result retained;

        Compaction(String id, Instant startedAt) {
            this.id = id;
            this.startedAt = startedAt;
        }

        public String id() {
            return id;
        }

        public Instant startedAt() {
            return startedAt;
        }

        public long processed() {
            return processed;
        }

        public long total() {
            return total;
        }

        public State state() {
            return state;
        }

        public String failure() {
            return failure;
        }

        public Compactor.Result result() {
            return result;
        }

        /** What retention dropped after this compaction, or null when retention is off or it has not finished. */
        public HeartbeatRetention.Result retained() {
            return retained;
        }

        /** Heartbeats compacted per second so far. */
        public double eventsPerSecond(Instant now) {
            Instant end = finishedAt != null ? finishedAt : now;
            return processed / (Math.max(1, Duration.between(startedAt, end).toMillis()) / 1000.0);
        }

        /** The expected time to completion at the rate so far, 0 when done, null while the rate is unknown. */
        public Long etaMillis(Instant now) {
            if (state != State.RUNNING) {
                return 0L;
            }
            double rate = eventsPerSecond(now);
            return rate <= 0 ? null : (long) ((total - processed) / rate * 1000);
        }

        void progress(long processed, long total) {
            this.processed = processed;
            this.total = total;
        }

        void finish(Compactor.Result done, HeartbeatRetention.Result retainedAfter, Instant at) {
            result = done;
            retained = retainedAfter;
            processed = total;
            finishedAt = at;
            state = State.DONE;
        }

        void fail(String reason, Instant at) {
            failure = reason;
            finishedAt = at;
            state = State.FAILED;
        }
    }
}
