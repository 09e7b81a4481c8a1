package dev.claimsledger.server.resilience;

import static dev.claimsledger.server.resilience.LedgerChecks.audit;
import static dev.claimsledger.server.resilience.LedgerChecks.eventually;
import static dev.claimsledger.server.resilience.LedgerChecks.lapsedButNotEnded;
import static dev.claimsledger.server.resilience.LedgerChecks.notExpiredExactlyOnce;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.audit.AuditCommand;
import dev.claimsledger.server.resilience.LedgerChecks.AuditRun;
import dev.claimsledger.server.resilience.LedgerClient.Answer;
import dev.claimsledger.server.resilience.StoredLedger.Epoch;
import dev.claimsledger.server.resilience.StoredLedger.EpochKey;
import dev.claimsledger.server.resilience.Traffic.Op;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.RunsAlone;
import dev.claimsledger.server.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * A ledger server killed with SIGKILL while a claim is half done, then started again on the same PostgreSQL schema:
 * the claim is either not stored at all or stored with its watchdog, and then it expires. The kills under load, on
 * both databases, are {@link CrashRecoveryContract}'s.
 */
@RunsAlone
@RequiresPostgres
class CrashMidCommandOnPostgresTest {

    private static final String TENANT = "crash";
    private static final int WORKERS = 4;
    /** How late after a node is ready (or after the lease's end, if later) an expiry may be recorded. */
    private static final Duration EXPIRY_SLACK = Duration.ofSeconds(5);
    private static final int CAUGHT_CLAIMS = 4;

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private final StoredLedger stored = new StoredLedger(database);
    private final Traffic traffic = new Traffic();
    private final List<LedgerProcess> processes = new ArrayList<>();
    private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS);

    @AfterEach
    void stopEverything(TestInfo test) throws InterruptedException {
        traffic.writeTo(LedgerProcess.LOG_DIR.resolve("crash-" + test.getTestMethod().orElseThrow().getName()
                + "-traffic.txt"));
        workers.shutdownNow();
        processes.forEach(LedgerProcess::close);
        workers.awaitTermination(10, TimeUnit.SECONDS);
    }

    /**
     * The server dies in the middle of a claim, after the claim's event is written and before its lease's watchdog
     * deadline is: a crash, an OOM kill or a lost machine can stop a command at any point. To stop it exactly there,
     * the deadline table is locked (as a long transaction, a vacuum or a slow disk can hold it), the claims are sent,
     * the server is killed while they wait, and the database connections it left behind are ended, as the database
     * does with the sessions of a lost client. A claim caught like that must be either not stored at all (its command
     * was never acknowledged) or stored with its watchdog, and then it expires once its lease runs out.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aClaimCaughtMidCommandByACrashIsEitherNotStoredOrExpires() throws Exception {
        // given a server whose deadline table is locked by a long transaction
        LedgerProcess first = started("crash-mid-command");
        LedgerClient client = new LedgerClient(first.baseUrl());
        List<CompletableFuture<Answer>> inFlight = new ArrayList<>();
        List<EpochKey> caught = new ArrayList<>();
        Instant killedAt;
        int endedSessions;
        try (Connection lock = database.connect()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("LOCK TABLE lease_deadlines IN SHARE MODE");
            }

            // when claims are sent and the server dies while they wait on it
            for (int i = 0; i < CAUGHT_CLAIMS; i++) {
                String consumer = "caught-" + i;
                caught.add(new EpochKey(consumer, 1));
                inFlight.add(CompletableFuture.supplyAsync(() -> traffic.record(Op.CLAIM, first.name(), consumer, 1,
                        client.claim(TENANT, consumer, 1, 2_000, "renew_on_heartbeat")), workers));
            }
            for (int waited = 0; waited < 5_000 && waitingOn(lock) < CAUGHT_CLAIMS; waited += 50) {
                Thread.sleep(50);
            }
            Thread.sleep(300);
            first.assertAlive();
            killedAt = first.kill();
            endedSessions = endSessionsWaitingOn(lock);
            lock.rollback();
        }
        List<Answer> answers = inFlight.stream().map(CompletableFuture::join).toList();
        Map<EpochKey, Epoch> atTheCrash = stored.epochs(TENANT);
        List<EpochKey> storedAtTheCrash = caught.stream().filter(atTheCrash::containsKey).toList();
        System.out.println("[resilience] crash mid-command: killed " + first + " at " + killedAt + " with "
                + answers.stream().filter(answer -> !answer.answered()).count() + " claims unanswered, "
                + endedSessions + " database sessions it left waiting ended; claims stored: " + storedAtTheCrash
                + "; watchdogs stored: " + stored.watchdogs().size());
        assertThat(answers).as("claims in flight when the server died").noneMatch(Answer::success);

        // and it is started again once their leases would have run out
        LedgerProcess second = started("crash-mid-command-after");

        // then each of them was either never stored, or is stored and expires, exactly once
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(eventually(EXPIRY_SLACK.plusSeconds(5),
                        () -> lapsedButNotEnded(stored.epochs(TENANT), Instant.now().minusMillis(500))))
                .as("claims stored by a command caught by the crash whose lease ran out but which never expire")
                .isEmpty();
        softly.assertThat(notExpiredExactlyOnce(stored.epochs(TENANT), storedAtTheCrash))
                .as("claims stored by a command caught by the crash").isEmpty();
        AuditRun audit = audit(database);
        softly.assertThat(audit.status()).as("the audit command: %s", audit).isEqualTo(AuditCommand.CLEAN);
        softly.assertThat(second.logLines(" ERROR ", 0)).as("errors logged by %s", second).isEmpty();
        softly.assertAll();
    }

    /** How many sessions wait for a lock that {@code lock}'s session holds. */
    private static int waitingOn(Connection lock) throws SQLException {
        try (Statement statement = lock.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity"
                     + " WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** Ends the sessions waiting for {@code lock}'s session: those a dead server left behind. */
    private static int endSessionsWaitingOn(Connection lock) throws SQLException {
        try (Statement statement = lock.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                     + " FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private LedgerProcess started(String name) {
        LedgerProcess process = LedgerProcess.start(name, database, LedgerProcess.QUICK_DEADLINES);
        processes.add(process);
        return process;
    }
}
