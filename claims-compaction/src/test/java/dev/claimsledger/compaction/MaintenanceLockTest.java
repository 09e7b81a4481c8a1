package dev.claimsledger.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.Driver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

class MaintenanceLockTest {

    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Instant START = Instant.parse("2026-12-03T10:00:00Z");

    private final MovableClock clock = new MovableClock(START);
    private DataSource dataSource;
    private JdbcTemplate jdbc;

    @BeforeEach
    void createTheTable() {
        dataSource = new SimpleDriverDataSource(new Driver(),
                "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        jdbc = new JdbcTemplate(dataSource);
        new ResourceDatabasePopulator(new ClassPathResource("db/migration/V8__maintenance_locks.sql"))
                .execute(dataSource);
    }

    @Test
    void holdRenewsTheLockOnlyOnceAQuarterOfItsLeaseHasPassed() {
        MaintenanceLock lock = lock("ours");
        assertThat(lock.acquire()).isTrue();

        clock.moveTo(START.plusSeconds(14));
        assertThat(lock.hold()).isTrue();
        assertThat(expiresAt()).as("not renewed within a quarter of the lease").isEqualTo(START.plus(LEASE));

        clock.moveTo(START.plusSeconds(16));
        assertThat(lock.hold()).isTrue();
        assertThat(expiresAt()).as("renewed after a quarter of the lease").isEqualTo(START.plusSeconds(16).plus(LEASE));

        clock.moveTo(START.plusSeconds(30));
        assertThat(lock.hold()).isTrue();
        assertThat(expiresAt()).as("counted from the last renewal").isEqualTo(START.plusSeconds(16).plus(LEASE));
    }

    @Test
    void holdTellsTheLockWasLostOnceAnotherOwnerTookItOverAfterItLapsed() {
        MaintenanceLock ours = lock("ours");
        MaintenanceLock other = lock("other");
        assertThat(ours.acquire()).isTrue();
        assertThat(other.acquire()).as("held, not lapsed").isFalse();

        clock.moveTo(START.plus(LEASE).plusSeconds(1));
        assertThat(other.acquire()).as("lapsed").isTrue();

        assertThat(ours.hold()).isFalse();
        assertThat(holder()).isEqualTo("other");
    }

    @Test
    void aReleasedLockIsTakenAgainByHold() {
        MaintenanceLock lock = lock("ours");
        assertThat(lock.acquire()).isTrue();
        lock.release();
        assertThat(holder()).isNull();

        assertThat(lock.hold()).isTrue();
        assertThat(holder()).isEqualTo("ours");
    }

    private MaintenanceLock lock(String owner) {
        return new MaintenanceLock(dataSource, clock, Compactions.LOCK, owner, LEASE);
    }

    private Instant expiresAt() {
        return jdbc.queryForObject("SELECT expires_at FROM maintenance_locks WHERE name = ?", OffsetDateTime.class,
                Compactions.LOCK).toInstant();
    }

    private String holder() {
        return jdbc.queryForObject("SELECT owner FROM maintenance_locks WHERE name = ?", String.class,
                Compactions.LOCK);
    }

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {

        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void moveTo(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
