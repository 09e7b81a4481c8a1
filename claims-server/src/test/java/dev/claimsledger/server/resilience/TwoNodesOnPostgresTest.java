package dev.claimsledger.server.resilience;

import static dev.claimsledger.server.resilience.LedgerChecks.acknowledgedButNotStored;
import static dev.claimsledger.server.resilience.LedgerChecks.audit;
import static dev.claimsledger.server.resilience.LedgerChecks.epochsEndingWrongly;
import static dev.claimsledger.server.resilience.LedgerChecks.eventually;
import static dev.claimsledger.server.resilience.LedgerChecks.notExpiredExactlyOnce;
import static dev.claimsledger.server.resilience.LedgerChecks.readModel;
import static dev.claimsledger.server.resilience.LedgerChecks.readModelDrift;
import static dev.claimsledger.server.resilience.LedgerChecks.rejectionsNotJustified;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.projection.ConsumerClaimsProjection;
import dev.claimsledger.server.audit.AuditCommand;
import dev.claimsledger.server.resilience.LedgerChecks.AuditRun;
import dev.claimsledger.server.resilience.LedgerClient.Answer;
import dev.claimsledger.server.resilience.StoredLedger.Epoch;
import dev.claimsledger.server.resilience.StoredLedger.EpochKey;
import dev.claimsledger.server.resilience.Traffic.Op;
import dev.claimsledger.server.resilience.Traffic.Sent;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.RunsAlone;
import dev.claimsledger.server.support.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two ledger nodes on one PostgreSQL schema, as the README's Operations section describes them: commands for the same
 * consumers reach both nodes at once and none is lost or answered with a 5xx; each deadline ends its epoch exactly
 * once; the read model follows; and when one node is killed with SIGKILL, the survivor expires the leases that were
 * pending (also those the dead node was deciding) and takes over the read model's segments.
 *
 * <p>The nodes start once for the class; the second test kills one of them, so the tests run in order.
 */
@RunsAlone
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoNodesOnPostgresTest {

    private static final String TENANT = "pair";
    private static final int THREADS = 8;
    private static final int SHARED_CONSUMERS = 6;
    private static final long SHARED_TTL_MS = 3_000;
    private static final long PENDING_TTL_MS = 2_000;
    private static final int PENDING_CLAIMS = 16;
    private static final Duration LOAD = Duration.ofSeconds(3);
    private static final int ACKNOWLEDGED_TARGET = 400;
    private static final int ACKNOWLEDGED_AT_LEAST = 80;
    /**
     * How long the survivor may take to expire the pending leases: every node sweeps due watchdogs itself, and a
     * watchdog the dead node was deciding is freed when its transaction dies with it; room for a loaded machine.
     */
    private static final Duration DEADLINE_TAKEOVER = Duration.ofSeconds(15);
    /** Axon's token claim timeout (10 s, unchanged) plus the processor's claim interval (5 s, unchanged), and room. */
    private static final Duration SEGMENT_TAKEOVER = Duration.ofSeconds(25);

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private final StoredLedger stored = new StoredLedger(database);
    private final Traffic traffic = new Traffic();
    private final ExecutorService threads = Executors.newFixedThreadPool(THREADS + 2);
    private LedgerProcess nodeA;
    private LedgerProcess nodeB;
    private List<LedgerClient> clients;

    @BeforeAll
    void startTwoNodesOnOneSchema() throws Exception {
        Future<LedgerProcess> a = threads.submit(() -> LedgerProcess.start("pair-node-a", database,
                LedgerProcess.QUICK_DEADLINES));
        Future<LedgerProcess> b = threads.submit(() -> LedgerProcess.start("pair-node-b", database,
                LedgerProcess.QUICK_DEADLINES));
        try {
            nodeA = a.get(60, TimeUnit.SECONDS);
        } finally {
            nodeB = b.get(60, TimeUnit.SECONDS);
        }
        clients = List.of(new LedgerClient(nodeA.baseUrl()), new LedgerClient(nodeB.baseUrl()));
        System.out.println("[resilience] two nodes: " + nodeA + " and " + nodeB);
    }

    @AfterAll
    void stopEverything() throws InterruptedException {
        traffic.writeTo(LedgerProcess.LOG_DIR.resolve("pair-traffic.txt"));
        threads.shutdownNow();
        for (LedgerProcess node : new LedgerProcess[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void commandsForTheSameConsumersOnBothNodesAreNeitherLostNorFailedAndEachLeaseEndsOnce() throws Exception {
        // given every shared consumer claimed through both nodes at the same moment
        AtomicLong[] current = new AtomicLong[SHARED_CONSUMERS];
        Map<String, List<Integer>> creationRaces = new TreeMap<>();
        for (int c = 0; c < SHARED_CONSUMERS; c++) {
            String consumer = shared(c);
            List<CompletableFuture<Answer>> both = List.of(0, 1).stream().map(n -> CompletableFuture.supplyAsync(() ->
                    traffic.record(Op.CLAIM, node(n), consumer, 1, clients.get(n).claim(TENANT, consumer, 1,
                            SHARED_TTL_MS, "renew_on_heartbeat")), threads)).toList();
            List<Answer> answers = both.stream().map(CompletableFuture::join).toList();
            creationRaces.put(consumer, answers.stream().map(Answer::status).sorted().toList());
            assertThat(answers).as("the claims of %s sent to both nodes at once", consumer)
                    .anySatisfy(answer -> assertThat(answer.status()).isEqualTo(201));
            current[c] = new AtomicLong(1);
        }

        // when eight threads send heartbeats, releases and new claims for them, alternating between the nodes
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> load = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            load.add(threads.submit(() -> drive(thread, current, stop)));
        }
        Thread.sleep(LOAD.toMillis());
        for (int waited = 0; waited < 7_000 && traffic.acknowledged().size() < ACKNOWLEDGED_TARGET; waited += 50) {
            Thread.sleep(50);
        }
        stop.set(true);
        for (Future<?> thread : load) {
            thread.get(30, TimeUnit.SECONDS);
        }
        nodeA.assertAlive();
        nodeB.assertAlive();
        long overlaps = overlapsAcrossNodes();
        System.out.println("[resilience] two nodes: traffic " + traffic.summary() + "; acknowledged commands that"
                + " overlapped one on the same consumer through the other node: " + overlaps);
        assertThat(traffic.acknowledged().size()).as("acknowledged commands").isGreaterThanOrEqualTo(ACKNOWLEDGED_AT_LEAST);
        assertThat(traffic.acknowledged()).extracting(Sent::node).as("nodes that acknowledged commands")
                .contains(nodeA.name(), nodeB.name());
        assertThat(overlaps).as("commands on one consumer in flight on both nodes at once").isPositive();

        SoftAssertions softly = new SoftAssertions();
        // then the same claim sent to both nodes at once was created by one and repeated by the other
        softly.assertThat(creationRaces).as("statuses of the same claim sent to both nodes at once")
                .allSatisfy((consumer, statuses) -> assertThat(statuses).containsExactly(200, 201));
        // and nothing failed, no answer is missing
        softly.assertThat(traffic.serverErrors()).as("5xx answers").isEmpty();
        softly.assertThat(traffic.unanswered()).as("unanswered requests").isEmpty();
        // and every rejection is a genuine business rejection (judged once the expiries it foresaw are recorded)
        List<Sent> rejected = traffic.where(sent -> sent.answer().answered() && !sent.answer().success()
                && sent.answer().status() < 500);
        softly.assertThat(eventually(Duration.ofMillis(SHARED_TTL_MS).plusSeconds(10),
                        () -> rejectionsNotJustified(rejected, stored.epochs(TENANT))))
                .as("rejections that the stored events do not justify (of %d)", rejected.size()).isEmpty();
        // and every acknowledged command is stored: no update lost
        softly.assertThat(acknowledgedButNotStored(traffic.acknowledged(), stored.epochs(TENANT)))
                .as("acknowledged commands missing from the event store (of %d)", traffic.acknowledged().size())
                .isEmpty();

        // and once abandoned, every epoch ends exactly once: a release, a supersession or a single expiry
        softly.assertThat(eventually(Duration.ofMillis(SHARED_TTL_MS).plusSeconds(10), () -> notEnded(stored.epochs(TENANT))))
                .as("epochs that have not ended %d ms after the last command", SHARED_TTL_MS + 10_000).isEmpty();
        Map<EpochKey, Epoch> epochs = stored.epochs(TENANT);
        softly.assertThat(epochsEndingWrongly(epochs)).as("epochs ending wrongly").isEmpty();
        softly.assertThat(epochs.values().stream().filter(epoch -> epoch.status().equals("expired")).count())
                .as("epochs that expired").isPositive();

        // and the read model, read through either node, converges to the events, heartbeat counts included
        for (LedgerClient client : clients) {
            softly.assertThat(eventually(Duration.ofSeconds(15),
                            () -> readModelDrift(stored.epochs(TENANT), readModel(client, TENANT))))
                    .as("read-model rows that differ from their events, via %s", client.baseUrl()).isEmpty();
        }
        softly.assertAll();
    }

    @Test
    @Order(2)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void afterASigkillTheSurvivorExpiresEveryPendingLeaseAndTakesOverTheReadModel() throws Exception {
        // given claims with short leases made through both nodes, all ending at about the same moment
        int survivorLogMark = nodeB.logLength();
        List<CompletableFuture<Answer>> claims = new ArrayList<>();
        List<EpochKey> pendingClaims = new ArrayList<>();
        for (int i = 0; i < PENDING_CLAIMS; i++) {
            int n = i % 2;
            String consumer = "pending-" + i;
            pendingClaims.add(new EpochKey(consumer, 1));
            claims.add(CompletableFuture.supplyAsync(() -> traffic.record(Op.CLAIM, node(n), consumer, 1,
                    clients.get(n).claim(TENANT, consumer, 1, PENDING_TTL_MS, n == 0 ? "fixed" : "renew_on_heartbeat")),
                    threads));
        }
        List<Answer> pending = claims.stream().map(CompletableFuture::join).toList();
        assertThat(pending).as("pending claims").allSatisfy(answer -> assertThat(answer.status()).isEqualTo(201));
        Instant firstLeaseEnd = pending.stream().map(answer -> answer.instant("lease_expires_at"))
                .min(Comparator.naturalOrder()).orElseThrow();

        // when node A is killed just as their watchdogs come due, while it may be deciding some of them
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), firstLeaseEnd).toMillis()) + 150);
        nodeA.assertAlive();
        Instant killedAt = nodeA.kill();
        System.out.println("[resilience] two nodes: killed " + nodeA + " at " + killedAt + "; watchdogs pending: "
                + stored.watchdogs().size());

        // and claims keep coming to the survivor
        LedgerClient survivor = clients.get(1);
        for (int i = 0; i < PENDING_CLAIMS; i++) {
            String consumer = "after-kill-" + i;
            pendingClaims.add(new EpochKey(consumer, 1));
            Answer answer = traffic.record(Op.CLAIM, nodeB.name(), consumer, 1,
                    survivor.claim(TENANT, consumer, 1, PENDING_TTL_MS, "renew_on_heartbeat"));
            assertThat(answer.status()).as("claim %s through the survivor: %s", consumer, answer).isEqualTo(201);
        }

        SoftAssertions softly = new SoftAssertions();
        // then the survivor expires every pending lease exactly once, also those the dead node was deciding
        softly.assertThat(eventually(DEADLINE_TAKEOVER, () -> notExpiredExactlyOnce(stored.epochs(TENANT), pendingClaims)))
                .as("claims with short leases, made before and after the kill").isEmpty();
        Instant allExpiredAt = Instant.now();
        Map<EpochKey, Epoch> epochs = stored.epochs(TENANT);
        softly.assertThat(epochsEndingWrongly(epochs)).as("epochs ending wrongly").isEmpty();
        softly.assertThat(stored.watchdogs()).as("watchdogs left over").isEmpty();

        // and takes over every segment of the read model's processor, so the new claims show up in it
        softly.assertThat(eventually(SEGMENT_TAKEOVER, () -> stored.tokens(ConsumerClaimsProjection.PROCESSING_GROUP)
                        .stream().filter(token -> token.owner() == null || !token.owner().startsWith(nodeB.pid() + "@"))
                        .map(token -> "segment " + token.segment() + " owned by " + token.owner()).toList()))
                .as("segments of %s not owned by the survivor (pid %d)", ConsumerClaimsProjection.PROCESSING_GROUP,
                        nodeB.pid()).isEmpty();
        Instant segmentsTakenAt = Instant.now();
        softly.assertThat(eventually(Duration.ofSeconds(15),
                        () -> readModelDrift(stored.epochs(TENANT), readModel(survivor, TENANT))))
                .as("read-model rows that differ from their events").isEmpty();
        System.out.println("[resilience] two nodes: after the kill, every lease expired within "
                + Duration.between(killedAt, allExpiredAt).toMillis() + " ms, segments taken over within "
                + Duration.between(killedAt, segmentsTakenAt).toMillis() + " ms, read model converged within "
                + Duration.between(killedAt, Instant.now()).toMillis() + " ms");

        // and the audit finds nothing wrong
        AuditRun audit = audit(database);
        softly.assertThat(audit.status()).as("the audit command: %s", audit).isEqualTo(AuditCommand.CLEAN);
        softly.assertThat(nodeB.logLines(" ERROR ", survivorLogMark)).as("errors logged by the survivor %s", nodeB)
                .isEmpty();
        softly.assertAll();
    }

    /**
     * One client thread: picks a shared consumer at random and, alternating between the nodes, mostly heartbeats its
     * current epoch; now and then releases it and claims the next epoch, or claims the next epoch over it.
     */
    private void drive(int thread, AtomicLong[] current, AtomicBoolean stop) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int request = 0; !stop.get(); request++) {
            int n = (thread + request) % 2;
            int c = random.nextInt(SHARED_CONSUMERS);
            String consumer = shared(c);
            long epoch = current[c].get();
            double dice = random.nextDouble();
            if (dice < 0.85) {
                traffic.record(Op.HEARTBEAT, node(n), consumer, epoch, clients.get(n).heartbeat(TENANT, consumer, epoch));
            } else if (dice < 0.93) {
                Answer released = traffic.record(Op.RELEASE, node(n), consumer, epoch,
                        clients.get(n).release(TENANT, consumer, epoch));
                if (released.success()) {
                    claimNext(1 - n, c, epoch + 1, current);
                }
            } else {
                claimNext(1 - n, c, epoch + 1, current);
            }
        }
    }

    private void claimNext(int n, int c, long epoch, AtomicLong[] current) {
        Answer answer = traffic.record(Op.CLAIM, node(n), shared(c), epoch,
                clients.get(n).claim(TENANT, shared(c), epoch, SHARED_TTL_MS, "renew_on_heartbeat"));
        if (answer.success()) {
            current[c].accumulateAndGet(epoch, Math::max);
        }
    }

    private static List<String> notEnded(Map<EpochKey, Epoch> epochs) {
        return epochs.values().stream().filter(epoch -> epoch.ends().isEmpty()).map(Epoch::toString).toList();
    }

    /** How many acknowledged commands overlapped in time with one on the same consumer through the other node. */
    private long overlapsAcrossNodes() {
        List<Sent> acknowledged = traffic.acknowledged();
        return acknowledged.stream().filter(one -> acknowledged.stream().anyMatch(other ->
                other.consumer().equals(one.consumer()) && !other.node().equals(one.node())
                        && other.answer().sent().isBefore(one.answer().received())
                        && one.answer().sent().isBefore(other.answer().received()))).count();
    }

    private String node(int n) {
        return n == 0 ? nodeA.name() : nodeB.name();
    }

    private static String shared(int c) {
        return "shared-" + c;
    }
}
