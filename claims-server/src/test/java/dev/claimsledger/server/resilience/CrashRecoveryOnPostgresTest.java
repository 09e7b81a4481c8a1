package dev.claimsledger.server.resilience;

import static dev.claimsledger.server.resilience.LedgerChecks.acknowledgedButNotStored;
import static dev.claimsledger.server.resilience.LedgerChecks.audit;
import static dev.claimsledger.server.resilience.LedgerChecks.epochsEndingWrongly;
import static dev.claimsledger.server.resilience.LedgerChecks.eventually;
import static dev.claimsledger.server.resilience.LedgerChecks.lapsedButNotEnded;
import static dev.claimsledger.server.resilience.LedgerChecks.latestExpiry;
import static dev.claimsledger.server.resilience.LedgerChecks.notExpiredExactlyOnce;
import static dev.claimsledger.server.resilience.LedgerChecks.readModel;
import static dev.claimsledger.server.resilience.LedgerChecks.readModelDrift;
import static dev.claimsledger.server.resilience.LedgerChecks.rejectionsNotJustified;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.audit.AuditCommand;
import dev.claimsledger.server.resilience.LedgerChecks.AuditRun;
import dev.claimsledger.server.resilience.LedgerClient.Answer;
import dev.claimsledger.server.resilience.StoredLedger.Epoch;
import dev.claimsledger.server.resilience.StoredLedger.EpochKey;
import dev.claimsledger.server.resilience.StoredLedger.Task;
import dev.claimsledger.server.resilience.Traffic.Op;
import dev.claimsledger.server.resilience.Traffic.Sent;
import dev.claimsledger.server.support.RequiresPostgres;
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
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * A ledger server killed with SIGKILL in the middle of claims, heartbeats and releases, then started again on the same
 * PostgreSQL schema: nothing it acknowledged is lost, every lease that ran out (also while it was down) expires exactly
 * once soon after it is back, the read model catches up with the events, and the audit finds nothing wrong.
 */
@RequiresPostgres
class CrashRecoveryOnPostgresTest {

    private static final String TENANT = "crash";
    private static final int WORKERS = 6;
    private static final int CONSUMERS_PER_WORKER = 5;
    private static final int ABANDONED_BEFORE_THE_CRASH = 6;
    /** The load runs at least this long, and on until this many commands were acknowledged, or for at most 10 s. */
    private static final Duration LOAD = Duration.ofSeconds(3);
    private static final int ACKNOWLEDGED_BEFORE_THE_CRASH = 300;
    /** Fewer than this many acknowledged commands would not be a load worth the name. */
    private static final int ACKNOWLEDGED_AT_LEAST = 60;
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

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void nothingAcknowledgedIsLostAndEveryLapsedLeaseExpiresOnceAfterASigkill() throws Exception {
        // given a server under load from several clients
        LedgerProcess first = started("crash-before");
        LedgerClient client = new LedgerClient(first.baseUrl());
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> load = new ArrayList<>();
        for (int worker = 0; worker < WORKERS; worker++) {
            int id = worker;
            load.add(workers.submit(() -> work(client, first.name(), id, stop)));
        }
        Thread.sleep(LOAD.toMillis());
        for (int waited = 0; waited < 7_000 && traffic.acknowledged().size() < ACKNOWLEDGED_BEFORE_THE_CRASH; waited += 50) {
            Thread.sleep(50);
        }

        // and a few claims that nobody will renew, whose leases end while the server is down
        List<Sent> abandoned = new ArrayList<>();
        for (int i = 0; i < ABANDONED_BEFORE_THE_CRASH; i++) {
            String consumer = "abandoned-" + i;
            Answer answer = traffic.record(Op.CLAIM, first.name(), consumer, 1,
                    client.claim(TENANT, consumer, 1, 2_000, i % 2 == 0 ? "renew_on_heartbeat" : "fixed"));
            assertThat(answer.status()).as("claim %s: %s", consumer, answer).isEqualTo(201);
            abandoned.add(new Sent(Op.CLAIM, first.name(), consumer, 1, answer));
        }

        // when it is killed mid-load
        first.assertAlive();
        Instant killedAt = first.kill();
        stop.set(true);
        for (Future<?> worker : load) {
            worker.get(30, TimeUnit.SECONDS);
        }
        List<Task> picked = stored.scheduledTasks().stream().filter(Task::picked).toList();
        System.out.println("[resilience] crash: killed " + first + " at " + killedAt + "; traffic " + traffic.summary()
                + "; deadlines pending " + stored.scheduledTasks().size() + ", of which picked by the dead server "
                + picked.size());
        assertThat(traffic.acknowledged().size()).as("commands acknowledged before the crash")
                .isGreaterThanOrEqualTo(ACKNOWLEDGED_AT_LEAST);
        assertThat(traffic.acknowledged()).extracting(Sent::op).as("kinds of commands acknowledged")
                .contains(Op.CLAIM, Op.HEARTBEAT, Op.RELEASE);
        Map<EpochKey, Epoch> atTheCrash = stored.epochs(TENANT);
        assertThat(abandoned).allSatisfy(claim -> assertThat(atTheCrash.get(claim.key()).ends())
                .as("%s has not ended before the crash", claim.key()).isEmpty());

        // and started again on the same schema
        LedgerProcess second = started("crash-after");
        LedgerClient restarted = new LedgerClient(second.baseUrl());
        Instant backAt = second.readyAt();
        assertThat(abandoned).as("leases that ended while the server was down")
                .allSatisfy(claim -> assertThat(claim.answer().instant("lease_expires_at")).isBefore(backAt));

        SoftAssertions softly = new SoftAssertions();
        // then nothing failed before the crash, and every acknowledged command is in the event store
        softly.assertThat(traffic.serverErrors()).as("5xx answers before the crash").isEmpty();
        List<Sent> rejected = traffic.where(sent -> sent.answer().answered() && !sent.answer().success()
                && sent.answer().status() < 500);
        softly.assertThat(rejectionsNotJustified(rejected, stored.epochs(TENANT)))
                .as("rejections that the stored events do not justify (of %d)", rejected.size()).isEmpty();
        softly.assertThat(acknowledgedButNotStored(traffic.acknowledged(), stored.epochs(TENANT)))
                .as("acknowledged commands missing from the event store (of %d)", traffic.acknowledged().size())
                .isEmpty();

        // and every lease that ran out, also while the server was down, expires soon after it is back
        softly.assertThat(eventually(EXPIRY_SLACK.plusSeconds(5),
                        () -> lapsedButNotEnded(stored.epochs(TENANT), Instant.now().minusMillis(500))))
                .as("epochs whose lease ran out but which have not ended").isEmpty();
        Map<EpochKey, Epoch> epochs = stored.epochs(TENANT);
        Duration latest = latestExpiry(epochs, backAt);
        System.out.println("[resilience] crash: ready again at " + backAt + " (" + Duration.between(killedAt, backAt)
                .toMillis() + " ms after the kill); " + traffic.unanswered().size() + " requests unanswered at the"
                + " crash; latest expiry " + latest + " after the restart (or the lease end, if later); "
                + epochs.size() + " epochs");
        softly.assertThat(latest).as("how late a lapsed lease expired after the server was back")
                .isNotNull().isLessThan(EXPIRY_SLACK);
        softly.assertThat(notExpiredExactlyOnce(epochs, abandoned.stream().map(Sent::key).toList()))
                .as("claims abandoned before the crash").isEmpty();

        // exactly once: no epoch ends twice, an expiry never comes before the lease's end, a release never after
        softly.assertThat(epochsEndingWrongly(epochs)).as("epochs ending wrongly").isEmpty();

        // and the read model converges to what the events say
        softly.assertThat(eventually(Duration.ofSeconds(15),
                        () -> readModelDrift(stored.epochs(TENANT), readModel(restarted, TENANT))))
                .as("read-model rows that differ from their events").isEmpty();

        // and the audit finds nothing wrong
        AuditRun audit = audit(database);
        softly.assertThat(audit.status()).as("the audit command: %s", audit).isEqualTo(AuditCommand.CLEAN);
        softly.assertThat(second.logLines(" ERROR ", 0)).as("errors logged by %s", second).isEmpty();
        softly.assertAll();
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
                statement.execute("LOCK TABLE scheduled_tasks IN SHARE MODE");
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
                + "; deadlines stored: " + stored.scheduledTasks().size());
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

    /**
     * One client thread with consumers of its own, as a worker fleet would: claims them (2-3 s leases renewed by
     * heartbeats), heartbeats them, now and then releases one and claims it again, or claims the next epoch over a
     * live one; until told to stop.
     */
    private void work(LedgerClient client, String node, int worker, AtomicBoolean stop) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String[] consumers = new String[CONSUMERS_PER_WORKER];
        long[] epochs = new long[CONSUMERS_PER_WORKER];
        boolean[] active = new boolean[CONSUMERS_PER_WORKER];
        for (int i = 0; i < CONSUMERS_PER_WORKER; i++) {
            consumers[i] = "worker-" + worker + "-" + i;
        }
        for (int round = 0; !stop.get(); round++) {
            int i = round % CONSUMERS_PER_WORKER;
            double dice = random.nextDouble();
            Answer answer;
            if (!active[i] || dice < 0.04) {
                long epoch = epochs[i] + 1;
                answer = traffic.record(Op.CLAIM, node, consumers[i], epoch, client.claim(TENANT, consumers[i], epoch,
                        random.nextLong(2_000, 3_001), "renew_on_heartbeat"));
                if (answer.success() || !answer.answered()) {
                    epochs[i] = epoch;
                    active[i] = true;
                }
            } else if (dice < 0.12) {
                answer = traffic.record(Op.RELEASE, node, consumers[i], epochs[i],
                        client.release(TENANT, consumers[i], epochs[i]));
                active[i] = !answer.success();
            } else {
                answer = traffic.record(Op.HEARTBEAT, node, consumers[i], epochs[i],
                        client.heartbeat(TENANT, consumers[i], epochs[i]));
                if (answer.status() == 409) {
                    active[i] = false;
                }
            }
            if (!answer.answered()) {
                LedgerProcess.sleep(50);
            }
        }
    }

    private LedgerProcess started(String name) {
        LedgerProcess process = LedgerProcess.start(name, database, LedgerProcess.QUICK_DEADLINES);
        processes.add(process);
        return process;
    }
}
