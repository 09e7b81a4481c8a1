package dev.claimsledger.server.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claimsledger.compaction.CompactionPace;
import dev.claimsledger.compaction.Compactions;
import dev.claimsledger.compaction.Compactor;
import dev.claimsledger.compaction.MaintenanceLock;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A compaction that keeps to its rate pauses between transactions, for longer than its lock's lease if the rate is low:
 * it renews the lock while it pauses, so that no other node takes the lock over however long it takes.
 */
class CompactionLockTest {

    private static final String TENANT = "locked";
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final int HEARTBEATS_PER_STREAM = 10;
    /** Two streams, one transaction, at 2 heartbeats a second: a pause of about 10 s, longer than the lease. */
    private static final int MAX_RATE = 2;

    @Test
    void aCompactionPausingLongerThanItsLockLeaseHoldsTheLockUntilItEnds(@TempDir Path dataDir) throws Exception {
        try (ConfigurableApplicationContext ledger = Ledger.startWithHttp(TestDatabase.freshH2(dataDir), Map.of(
                "claims.compaction.enabled", "false", "claims.compaction.hot-window", "0s"))) {
            LedgerHttp http = new LedgerHttp(Ledger.baseUrl(ledger));
            for (String consumer : List.of("worker-1", "worker-2")) {
                http.claimWithHeartbeats(TENANT, consumer, HEARTBEATS_PER_STREAM);
            }
            DataSource dataSource = ledger.getBean(DataSource.class);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            TrackedPositions tracked = new TrackedPositions(jdbc, ledger.getBean(Serializer.class));
            long last = jdbc.queryForObject("SELECT max(global_index) FROM domain_event_entry", Long.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> tracked.passed().below() > last);
            Clock clock = Clock.systemUTC();
            MaintenanceLock ours = new MaintenanceLock(dataSource, clock, Compactions.LOCK, "paced", LEASE);
            MaintenanceLock other = new MaintenanceLock(dataSource, clock, Compactions.LOCK, "other", LEASE);

            Compactions.Listener ignored = (result, retained) -> { };
            try (Compactions paced = new Compactions(ledger.getBean(Compactor.class), ours, clock,
                    Duration.ZERO, new CompactionPace(MAX_RATE, 1), tracked::passed, null, ignored)) {
                long started = System.nanoTime();
                Compactions.Compaction compaction = paced.request();
                List<Long> takenOverAfterMs = new ArrayList<>();
                while (compaction.state() == Compactions.Compaction.State.RUNNING) {
                    if (other.acquire()) {
                        takenOverAfterMs.add((System.nanoTime() - started) / 1_000_000);
                    }
                    Thread.sleep(200);
                }
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(takenOverAfterMs).as("another node took the lock over (ms after the start)").isEmpty();
                assertThat(compaction.state()).as("%s", compaction.failure())
                        .isEqualTo(Compactions.Compaction.State.DONE);
                assertThat(compaction.result().heartbeatsCompacted()).isEqualTo(2L * HEARTBEATS_PER_STREAM);
                assertThat(took).as("the compaction lasted longer than twice the lease")
                        .isGreaterThan(LEASE.multipliedBy(2));
                assertThat(other.acquire()).as("the lock is let go once the compaction ends").isTrue();
            }
        }
    }
}
