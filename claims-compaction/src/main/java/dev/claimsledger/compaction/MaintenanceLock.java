package dev.claimsledger.compaction;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A lock of maintenance work in {@code maintenance_locks}, held by one node at a time until it lapses: the holder
 * renews it while it works, and a node that died lets it lapse after {@code lease}, so another can take over.
 */
public final class MaintenanceLock {

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String name;
    private final String owner;
    private final Duration lease;
    private Instant renewedAt;

    public MaintenanceLock(DataSource dataSource, Clock clock, String name, String owner, Duration lease) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.clock = clock;
        this.name = name;
        this.owner = owner;
        this.lease = lease;
    }

    /** Takes or renews the lock; false when another owner holds it and it has not lapsed. */
    public synchronized boolean acquire() {
        Instant now = clock.instant();
        boolean taken = jdbc.update("UPDATE maintenance_locks SET owner = ?, expires_at = ? WHERE name = ?"
                        + " AND (owner IS NULL OR owner = ? OR expires_at < ?)", owner,
                now.plus(lease).atOffset(ZoneOffset.UTC), name, owner, now.atOffset(ZoneOffset.UTC)) == 1;
        renewedAt = taken ? now : null;
        return taken;
    }

    /**
     * Keeps the lock while working: renews it once a quarter of its lease has passed since it was taken or last
     * renewed, and otherwise trusts it, since no other owner can take it before it lapses. Each renewal is a commit of
     * its own, which a compaction renewing after every stream paid dozens of times a second (BENCHMARKS.md).
     *
     * @return false when the lock was lost: it lapsed and another owner took it
     */
    public synchronized boolean hold() {
        if (renewedAt != null && clock.instant().isBefore(renewedAt.plus(lease.dividedBy(4)))) {
            return true;
        }
        return acquire();
    }

    /** Lets the lock go, if this owner holds it. */
    public synchronized void release() {
        renewedAt = null;
        jdbc.update("UPDATE maintenance_locks SET owner = NULL, expires_at = NULL WHERE name = ? AND owner = ?", name,
                owner);
    }

    /** Who holds the lock now, or null. */
    public String holder() {
        return jdbc.query("SELECT owner, expires_at FROM maintenance_locks WHERE name = ?", rows -> {
            if (!rows.next() || rows.getString(1) == null) {
                return null;
            }
            Instant expires = rows.getObject(2, OffsetDateTime.class).toInstant();
            return expires.isBefore(clock.instant()) ? null : rows.getString(1);
        }, name);
    }
}
