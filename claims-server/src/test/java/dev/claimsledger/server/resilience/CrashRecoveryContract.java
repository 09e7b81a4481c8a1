package dev.claimsledger.server.resilience;

import static dev.claimsledger.server.resilience.LedgerChecks.acknowledgedButNotStored;
import static dev.claimsledger.server.resilience.LedgerChecks.audit;
import static dev.claimsledger.server.resilience.LedgerChecks.epochsEndingWrongly;
import static dev.claimsledger.server.resilience.LedgerChecks.eventually;
import static dev.claimsledger.server.resilience.LedgerChecks.lapsedButNotEnded;
import static dev.claimsledger.server.resilience.LedgerChecks.notExpiredExactlyOnce;
import static dev.claimsledger.server.resilience.LedgerChecks.readModel;
import static dev.claimsledger.server.resilience.LedgerChecks.readModelDrift;
import static dev.claimsledger.server.resilience.LedgerChecks.rejectionsNotJustified;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.audit.AuditCommand;
import dev.claimsledger.server.resilience.LedgerChecks.AuditRun;
import dev.claimsledger.server.resilience.LedgerClient.Answer;
import dev.claimsledger.server.resilience.LedgerClient.BatchAnswer;
import dev.claimsledger.server.resilience.StoredLedger.Epoch;
import dev.claimsledger.server.resilience.StoredLedger.EpochKey;
import dev.claimsledger.server.resilience.StoredLedger.Event;
import dev.claimsledger.server.resilience.Traffic.Op;
import dev.claimsledger.server.resilience.Traffic.Sent;
import dev.claimsledger.server.support.RunsAlone;
import dev.claimsledger.server.support.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * A ledger server killed with SIGKILL within milliseconds of acknowledging a command, in the middle of claims, single
 * heartbeats, batches of heartbeats and releases, then started again on the same data, several times in a row:
 * nothing it acknowledged is lost, every lease that ran out while it was down expires exactly once soon after it is
 * back, the read model catches up with the events, and the audit finds nothing wrong. Run against each database the
 * ledger supports; on the embedded one, a commit kept in memory for a moment (H2's default write delay) is exactly
 * what such a kill loses.
 */
@RunsAlone
abstract class CrashRecoveryContract {

    static final String TENANT = "crash";
    /** Enough rounds that a loss in one of every few kills cannot pass by luck. */
    private static final int ROUNDS = 3;
    private static final int WORKERS = 4;
    private static final int CONSUMERS_PER_WORKER = 4;
    /** The least time the load runs before the kill; longer until every kind of command has been acknowledged. */
    private static final Duration LOAD = Duration.ofMillis(1_500);
    private static final Duration LOAD_AT_MOST = Duration.ofSeconds(30);
    private static final int ACKNOWLEDGED_AT_LEAST = 20;
    private static final int ABANDONED_PER_ROUND = 3;
    private static final long ABANDONED_TTL_MS = 1_000;
    /** How late after a node is ready (or after the lease's end, if later) an expiry may be recorded. */
    private static final Duration EXPIRY_SLACK = Duration.ofSeconds(5);
    /** How long after an acknowledgement the kill may come: a few milliseconds, with room for a loaded machine. */
    private static final Duration KILL_WITHIN = Duration.ofMillis(50);

    private final List<LedgerProcess> processes = new ArrayList<>();
    private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    private final Set<String> consumers = ConcurrentHashMap.newKeySet();
    private final Traffic traffic = new Traffic();

    /** A fresh database of the kind under test, the same for every start of one test. */
    abstract TestDatabase database();

    @AfterEach
    void stopEverything(TestInfo test) throws InterruptedException {
        traffic.writeTo(LedgerProcess.LOG_DIR.resolve(getClass().getSimpleName() + "-"
                + test.getTestMethod().orElseThrow().getName() + "-traffic.txt"));
        workers.shutdownNow();
        processes.forEach(LedgerProcess::close);
        workers.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Waits while the load runs until the round has acknowledged enough commands, of every kind, batches included. */
    private static void awaitEveryKindAcknowledged(Round round) throws InterruptedException {
        Thread.sleep(LOAD.toMillis());
        long deadline = System.nanoTime() + LOAD_AT_MOST.toNanos();
        while (System.nanoTime() < deadline && !(round.acknowledged().size() >= ACKNOWLEDGED_AT_LEAST
                && round.batchesAcknowledged() > 0 && round.acknowledged().stream().map(Sent::op).collect(
                        Collectors.toSet()).containsAll(List.of(Op.CLAIM, Op.HEARTBEAT, Op.RELEASE)))) {
            Thread.sleep(100);
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void nothingAcknowledgedIsLostWhenTheServerIsKilledRightAfterAnAcknowledgement() throws Exception {
        TestDatabase database = database();
        StoredLedger stored = new StoredLedger(database);
        LedgerProcess server = started(database, "crash-round-0");
        SoftAssertions softly = new SoftAssertions();
        for (int round = 1; round <= ROUNDS; round++) {
            // given a server under load from several clients, and claims nobody renews, made just before the kill
            Round current = new Round(round, server);
            List<Future<?>> load = new ArrayList<>();
            for (int worker = 0; worker < WORKERS; worker++) {
                int id = worker;
                load.add(workers.submit(() -> work(current, id)));
            }
            awaitEveryKindAcknowledged(current);
            List<EpochKey> abandoned = abandon(current);

            // when it is killed right after its next acknowledgement
            Instant[] kill = current.killAtTheNextAcknowledgement();
            for (Future<?> worker : load) {
                worker.get(30, TimeUnit.SECONDS);
            }
            Duration sinceAcknowledgement = Duration.between(kill[0], kill[1]);
            List<Sent> acknowledged = current.acknowledged();
            System.out.println("[resilience] " + getClass().getSimpleName() + " round " + round + ": killed "
                    + server + " " + sinceAcknowledgement.toNanos() / 1000 + " µs after an acknowledgement; "
                    + acknowledged.size() + " commands acknowledged in the round; traffic " + traffic.summary());
            assertThat(sinceAcknowledgement).as("from the acknowledgement to the kill").isLessThan(KILL_WITHIN);
            assertThat(acknowledged.size()).as("commands acknowledged in round %d", round)
                    .isGreaterThanOrEqualTo(ACKNOWLEDGED_AT_LEAST);
            assertThat(acknowledged).extracting(Sent::op).as("kinds of commands acknowledged in round %d", round)
                    .contains(Op.CLAIM, Op.HEARTBEAT, Op.RELEASE);
            assertThat(current.batchesAcknowledged()).as("batches acknowledged in round %d", round).isPositive();

            // then every acknowledged command is in the event store, read while no server runs
            Map<EpochKey, Epoch> atTheKill = stored.epochs(TENANT);
            softly.assertThat(acknowledgedButNotStored(traffic.acknowledged(), atTheKill))
                    .as("round %d: acknowledged commands missing from the event store (of %d)", round,
                            traffic.acknowledged().size())
                    .isEmpty();
            softly.assertThat(abandoned).as("round %d: abandoned claims still active at the kill", round)
                    .allSatisfy(key -> assertThat(atTheKill.get(key).ends()).isEmpty());

            // and when it is started again on the same data
            server = started(database, "crash-round-" + round);
            LedgerClient client = new LedgerClient(server.baseUrl());
            Instant backAt = server.readyAt();
            softly.assertThat(abandoned.stream().map(key -> atTheKill.get(key).leaseEnd()).toList())
                    .as("round %d: leases of the abandoned claims end while the server is down", round)
                    .allSatisfy(end -> assertThat(end).isBefore(backAt));

            // every lease that ran out while it was down expires, exactly once, soon after it is back
            softly.assertThat(eventually(EXPIRY_SLACK.plusSeconds(5),
                            () -> lapsedButNotEnded(history(client), Instant.now().minusMillis(500))))
                    .as("round %d: epochs whose lease ran out but which have not ended", round).isEmpty();
            Map<EpochKey, Epoch> epochs = history(client);
            softly.assertThat(notExpiredExactlyOnce(epochs, abandoned)).as("round %d: abandoned claims", round)
                    .isEmpty();
            softly.assertThat(epochsEndingWrongly(epochs)).as("round %d: epochs ending wrongly", round).isEmpty();
            List<Sent> rejected = traffic.where(sent -> sent.answer().answered() && !sent.answer().success()
                    && sent.answer().status() < 500);
            softly.assertThat(rejectionsNotJustified(rejected, epochs))
                    .as("round %d: rejections the stored events do not justify", round).isEmpty();
            softly.assertThat(traffic.serverErrors()).as("round %d: 5xx answers", round).isEmpty();

            // the read model catches up with the events, and the audit finds nothing wrong
            softly.assertThat(eventually(Duration.ofSeconds(15),
                            () -> readModelDrift(history(client), readModel(client, TENANT))))
                    .as("round %d: read-model rows that differ from their events", round).isEmpty();
            Answer audit = client.audit();
            softly.assertThat(audit.status()).as("round %d: the audit: %s", round, audit).isEqualTo(200);
            softly.assertThat(audit.json().path("clean").asBoolean()).as("round %d: the audit: %s", round, audit)
                    .isTrue();
            softly.assertThat(server.logLines(" ERROR ", 0)).as("round %d: errors logged by %s", round, server)
                    .isEmpty();
        }
        server.kill();
        AuditRun audit = audit(database);
        softly.assertThat(audit.status()).as("the audit command after the last round: %s", audit)
                .isEqualTo(AuditCommand.CLEAN);
        softly.assertAll();
    }

    /** The events of every consumer the test used, read through the running server's history API. */
    private Map<EpochKey, Epoch> history(LedgerClient client) {
        List<Event> events = new ArrayList<>();
        for (String consumer : consumers) {
            events.addAll(client.history(TENANT, consumer));
        }
        return StoredLedger.fold(events);
    }

    /** Claims with a short lease that nobody renews, whose leases run out while the server is down. */
    private List<EpochKey> abandon(Round round) {
        List<EpochKey> abandoned = new ArrayList<>();
        for (int i = 0; i < ABANDONED_PER_ROUND; i++) {
            String consumer = "abandoned-" + round.number + "-" + i;
            consumers.add(consumer);
            Answer answer = round.record(Op.CLAIM, consumer, 1, round.client.claim(TENANT, consumer, 1,
                    ABANDONED_TTL_MS, i % 2 == 0 ? "renew_on_heartbeat" : "fixed"));
            assertThat(answer.status()).as("claim %s: %s", consumer, answer).isEqualTo(201);
            abandoned.add(new EpochKey(consumer, 1));
        }
        return abandoned;
    }

    /**
     * One client thread with consumers of its own, as a worker fleet would: claims them (2-3 s leases), heartbeats
     * them one by one and in batches, now and then releases one and claims it again, or claims the next epoch over a
     * live one; until the server is gone.
     */
    private void work(Round round, int worker) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String[] names = new String[CONSUMERS_PER_WORKER];
        long[] epochs = new long[CONSUMERS_PER_WORKER];
        boolean[] active = new boolean[CONSUMERS_PER_WORKER];
        for (int i = 0; i < CONSUMERS_PER_WORKER; i++) {
            names[i] = "worker-" + round.number + "-" + worker + "-" + i;
            consumers.add(names[i]);
        }
        while (!round.killed.get()) {
            int i = random.nextInt(CONSUMERS_PER_WORKER);
            double dice = random.nextDouble();
            if (!active[i] || dice < 0.04) {
                long epoch = epochs[i] + 1;
                Answer answer = round.record(Op.CLAIM, names[i], epoch, round.client.claim(TENANT, names[i], epoch,
                        random.nextLong(2_000, 3_001), "renew_on_heartbeat"));
                if (answer.success() || !answer.answered()) {
                    epochs[i] = epoch;
                    active[i] = true;
                }
            } else if (dice < 0.12) {
                active[i] = !round.record(Op.RELEASE, names[i], epochs[i],
                        round.client.release(TENANT, names[i], epochs[i])).success();
            } else if (dice < 0.3) {
                Map<String, Long> batch = new LinkedHashMap<>();
                for (int j = 0; j < CONSUMERS_PER_WORKER; j++) {
                    if (active[j]) {
                        batch.put(names[j], epochs[j]);
                    }
                }
                if (!batch.isEmpty()) {
                    round.recordBatch(batch, round.client.heartbeatBatch(TENANT, batch));
                }
            } else if (round.record(Op.HEARTBEAT, names[i], epochs[i],
                    round.client.heartbeat(TENANT, names[i], epochs[i])).status() == 409) {
                active[i] = false;
            }
        }
    }

    private LedgerProcess started(TestDatabase database, String name) {
        LedgerProcess process = LedgerProcess.start(name, database, LedgerProcess.QUICK_DEADLINES);
        processes.add(process);
        return process;
    }

    /** One life of a server: the traffic it was sent, and its kill at an acknowledgement. */
    private final class Round {

        private final int number;
        private final LedgerProcess server;
        private final LedgerClient client;
        private final AtomicBoolean armed = new AtomicBoolean();
        private final AtomicBoolean killed = new AtomicBoolean();
        private final AtomicReference<Instant[]> kill = new AtomicReference<>();
        private final CountDownLatch done = new CountDownLatch(1);
        private final List<Sent> sent = new ArrayList<>();
        private int batches;

        Round(int number, LedgerProcess server) {
            this.number = number;
            this.server = server;
            this.client = new LedgerClient(server.baseUrl());
        }

        /** Arms the kill, waits for it, and returns when the acknowledgement came and when the kill was sent. */
        Instant[] killAtTheNextAcknowledgement() throws InterruptedException {
            server.assertAlive();
            armed.set(true);
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("no command was acknowledged within 10 s by " + server);
            }
            return kill.get();
        }

        Answer record(Op op, String consumer, long epoch, Answer answer) {
            Sent recorded = new Sent(op, server.name(), consumer, epoch, answer);
            synchronized (sent) {
                sent.add(recorded);
            }
            traffic.record(op, server.name(), consumer, epoch, answer);
            killIfArmed(answer);
            return answer;
        }

        void recordBatch(Map<String, Long> batch, BatchAnswer answer) {
            int index = 0;
            for (Map.Entry<String, Long> heartbeat : batch.entrySet()) {
                Answer each = answer.each().get(index++);
                Sent recorded = new Sent(Op.HEARTBEAT, server.name(), heartbeat.getKey(), heartbeat.getValue(), each);
                synchronized (sent) {
                    sent.add(recorded);
                    if (index == 1 && answer.batch().success()) {
                        batches++;
                    }
                }
                traffic.record(Op.HEARTBEAT, server.name(), heartbeat.getKey(), heartbeat.getValue(), each);
            }
            killIfArmed(answer.batch());
        }

        /** The first acknowledgement after the kill was armed kills the server, on the thread that received it. */
        private void killIfArmed(Answer answer) {
            if (answer.success() && armed.get() && !killed.getAndSet(true)) {
                Instant acknowledged = answer.received();
                Instant sentKill = Instant.now();
                server.kill();
                kill.set(new Instant[] {acknowledged, sentKill});
                done.countDown();
            }
        }

        List<Sent> acknowledged() {
            synchronized (sent) {
                return sent.stream().filter(each -> each.answer().success()).toList();
            }
        }

        int batchesAcknowledged() {
            synchronized (sent) {
                return batches;
            }
        }
    }
}
