package dev.claimsledger.server.admin;

import java.time.Duration;
import java.time.Instant;

/**
 * One rebuild of the read model and how far it has come. Progress is measured in event store positions.
 */
public final class Rebuild {

    public enum State { RUNNING, DONE, FAILED }

    private final String id;
    private final Instant startedAt;
    private final long total;
    private volatile long processed;
    private volatile State state = State.RUNNING;
    private volatile Instant finishedAt;
    private volatile String failure;

    Rebuild(String id, Instant startedAt, long total) {
        this.id = id;
        this.startedAt = startedAt;
        this.total = total;
    }

    public String id() {
        return id;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public long total() {
        return total;
    }

    public long processed() {
        return processed;
    }

    public State state() {
        return state;
    }

    public String failure() {
        return failure;
    }

    /** Positions replayed per second so far. */
    public double eventsPerSecond(Instant now) {
        Instant end = finishedAt != null ? finishedAt : now;
        double seconds = Math.max(1, Duration.between(startedAt, end).toMillis()) / 1000.0;
        return processed / seconds;
    }

    /** The expected time to completion at the rate so far, 0 when done, null while the rate is unknown. */
    public Long etaMillis(Instant now) {
        if (state != State.RUNNING) {
            return 0L;
        }
        double rate = eventsPerSecond(now);
        return rate <= 0 ? null : (long) ((total - processed) / rate * 1000);
    }

    void progress(long processedPositions) {
        processed = processedPositions;
    }

    void finish(Instant at) {
        processed = total;
        finishedAt = at;
        state = State.DONE;
    }

    void fail(String reason) {
        failure = reason;
        finishedAt = Instant.now();
        state = State.FAILED;
    }
}
