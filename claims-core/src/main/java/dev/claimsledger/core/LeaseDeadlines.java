package dev.claimsledger.core;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.axonframework.deadline.AbstractDeadlineManager;
import org.axonframework.messaging.ScopeDescriptor;
import org.axonframework.modelling.command.AggregateScopeDescriptor;
import org.axonframework.modelling.command.ConcurrencyException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The lease watchdogs, one row per consumer's stream in the table {@code lease_deadlines}: the epoch it guards and when
 * it is due. A row is written and removed in the transaction of the event that arms or ends the watchdog, so the two
 * never disagree, and a watchdog survives every restart.
 *
 * <p>It is Axon's {@link org.axonframework.deadline.DeadlineManager} for the {@link Claim} aggregate, which arms the
 * watchdog when a claim is made and cancels it when the claim ends; both are one statement on the stream's key,
 * whatever the number of pending watchdogs. Due watchdogs are not triggered one by one through Axon: the
 * {@link LeaseWriter} takes them in batches ({@link #due}) and takes for each the decision the aggregate's deadline
 * handler would ({@link ClaimDecisions#watchdog}), committing many expiries in one transaction.
 */
public final class LeaseDeadlines extends AbstractDeadlineManager {

    /** The longest pause before a watchdog whose handling failed is tried again. */
    static final Duration LONGEST_RETRY_PAUSE = Duration.ofSeconds(30);

    private final JdbcTemplate jdbc;
    private final boolean skipLocked;

    public LeaseDeadlines(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.skipLocked = isPostgres(dataSource);
    }

    /** A due watchdog: the stream, the epoch it guards, and how many times handling it failed in a row. */
    record Due(String streamId, long epoch, Instant dueAt, int failures) {
    }

    @Override
    public String schedule(Instant triggerDateTime, String deadlineName, Object messageOrPayload,
                           ScopeDescriptor deadlineScope) {
        String streamId = streamOf(deadlineName, deadlineScope);
        if (!(messageOrPayload instanceof LeaseExpiryDue due)) {
            throw new IllegalArgumentException("the lease watchdog takes a LeaseExpiryDue, not " + messageOrPayload);
        }
        arm(streamId, due.epoch(), triggerDateTime);
        return streamId;
    }

    @Override
    public void cancelSchedule(String deadlineName, String scheduleId) {
        requireWatchdog(deadlineName);
        jdbc.update("DELETE FROM lease_deadlines WHERE stream_id = ?", scheduleId);
    }

    @Override
    public void cancelAll(String deadlineName) {
        requireWatchdog(deadlineName);
        jdbc.update("DELETE FROM lease_deadlines");
    }

    @Override
    public void cancelAllWithinScope(String deadlineName, ScopeDescriptor scope) {
        jdbc.update("DELETE FROM lease_deadlines WHERE stream_id = ?", streamOf(deadlineName, scope));
    }

    /** Arms the stream's watchdog for {@code epoch} at {@code dueAt}, in place of any it had. */
    void arm(String streamId, long epoch, Instant dueAt) {
        jdbc.update("DELETE FROM lease_deadlines WHERE stream_id = ?", streamId);
        try {
            jdbc.update("INSERT INTO lease_deadlines (stream_id, epoch, due_at, failures) VALUES (?, ?, ?, 0)",
                    streamId, epoch, utc(dueAt));
        } catch (DuplicateKeyException concurrentlyArmed) {
            // another node's transaction changed the same stream first: the command lost that race and is decided again
            throw new ConcurrencyException("the lease watchdog of " + streamId + " was armed concurrently",
                    concurrentlyArmed);
        }
    }

    /**
     * Up to {@code limit} watchdogs due at {@code now}, earliest first. On PostgreSQL they stay locked until the
     * caller's transaction ends and other nodes skip them, so that two nodes do not decide the same expiry.
     */
    List<Due> due(Instant now, int limit) {
        return jdbc.query("SELECT stream_id, epoch, due_at, failures FROM lease_deadlines WHERE due_at <= ?"
                        + " ORDER BY due_at LIMIT ?" + (skipLocked ? " FOR UPDATE SKIP LOCKED" : ""),
                (row, number) -> new Due(row.getString(1), row.getLong(2), row.getObject(3, OffsetDateTime.class).toInstant(),
                        row.getInt(4)),
                utc(now), limit);
    }

    /**
     * What becomes of a due watchdog: it follows its renewed lease to {@code leaseEnd}, or, when that is null, it has
     * nothing left to guard and is retired.
     */
    record Change(String streamId, long epoch, Instant leaseEnd) {

        static Change follow(String streamId, long epoch, Instant leaseEnd) {
            return new Change(streamId, epoch, Objects.requireNonNull(leaseEnd));
        }

        static Change retire(String streamId, long epoch) {
            return new Change(streamId, epoch, null);
        }
    }

    /**
     * Applies a group's watchdog changes in two JDBC batches, one per kind: a burst of expiries retires a thousand
     * watchdogs a group, and a statement each cost a round trip each.
     */
    void apply(List<Change> changes) {
        List<Object[]> follows = new ArrayList<>();
        List<Object[]> retires = new ArrayList<>();
        for (Change change : changes) {
            if (change.leaseEnd() != null) {
                follows.add(new Object[]{utc(change.leaseEnd()), change.streamId(), change.epoch()});
            } else {
                retires.add(new Object[]{change.streamId(), change.epoch()});
            }
        }
        if (!follows.isEmpty()) {
            jdbc.batchUpdate("UPDATE lease_deadlines SET due_at = ?, failures = 0 WHERE stream_id = ? AND epoch = ?",
                    follows);
        }
        if (!retires.isEmpty()) {
            jdbc.batchUpdate("DELETE FROM lease_deadlines WHERE stream_id = ? AND epoch = ?", retires);
        }
    }

    /** Handling the watchdog failed: it is tried again after a pause that doubles with each failure in a row. */
    void postpone(Due due, Instant now) {
        int failures = due.failures() + 1;
        Duration pause = Duration.ofSeconds(1L << Math.min(failures - 1, 5));
        if (pause.compareTo(LONGEST_RETRY_PAUSE) > 0) {
            pause = LONGEST_RETRY_PAUSE;
        }
        jdbc.update("UPDATE lease_deadlines SET due_at = ?, failures = ? WHERE stream_id = ? AND epoch = ?",
                utc(now.plus(pause)), failures, due.streamId(), due.epoch());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static String streamOf(String deadlineName, ScopeDescriptor scope) {
        requireWatchdog(deadlineName);
        if (!(scope instanceof AggregateScopeDescriptor aggregate)) {
            throw new IllegalArgumentException("the lease watchdog belongs to a Claim aggregate, not " + scope);
        }
        return Objects.toString(aggregate.getIdentifier());
    }

    private static void requireWatchdog(String deadlineName) {
        if (!LeaseExpiryDue.DEADLINE.equals(deadlineName)) {
            throw new IllegalArgumentException("the ledger keeps only the lease watchdog, not " + deadlineName);
        }
    }

    /**
     * Whether the ledger's tables live in PostgreSQL, asked once when a component that depends on it is made (the lease
     * watchdogs here, {@link LastEvents}' query); one of the two classes of the core that talk to the database.
     */
    static boolean isPostgres(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database the ledger's tables live in", e);
        }
    }
}
