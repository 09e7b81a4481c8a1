package dev.claimsledger.server.admin;

import java.time.Duration;
import java.time.Instant;

/**
 * One rebuild of the read model and how far it has come, as recorded in {@code read_model_rebuild}. Progress is
 * measured in event store positions.
 *
 * @param total      the newest position when it started
 * @param processed  the position it has read up to, at most {@code total}
 * @param finishedAt null while it runs
 * @param failure    why it failed, or null
 */
public record Rebuild(String id, State state, Instant startedAt, Instant finishedAt, long total, long processed,
                      String failure) {

    public enum State { RUNNING, DONE, FAILED }

    /** Positions read per second so far. */
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
}
