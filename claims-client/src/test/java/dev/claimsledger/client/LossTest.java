package dev.claimsledger.client;

import static dev.claimsledger.client.Claims.TENANT;
import static dev.claimsledger.client.Claims.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A lost claim is decided per claim, reported exactly once with a reason, off the renewer's thread, before the lease
 * could end, and never sent another heartbeat.
 */
class LossTest {

    private static final Duration TTL = Duration.ofSeconds(1);
    /** Its safety margin of 300 ms leaves room for a loaded machine to run the loss's timer a little late. */
    private static final Duration STALL_TTL = Duration.ofSeconds(3);
    private static final String NOTIFIER = "claims-client-\\d+-notifier";

    private final FakeLedger ledger = new FakeLedger();

    @AfterEach
    void stop() throws InterruptedException {
        ledger.close();
    }

    @ParameterizedTest
    @CsvSource({"stale_epoch, STALE_EPOCH", "claim_not_active, NOT_ACTIVE", "claim_expired, EXPIRED",
            "claim_not_found, NOT_ACTIVE"})
    void aRefusalThatEndsTheClaimLosesItAtOnceWithItsReason(String code, LossReason reason) throws Exception {
        // given a held claim
        HeldClaim claim = ledger.client().claim(TENANT, request("worker-1", TTL));

        // when the ledger refuses its next heartbeat with the code
        ledger.refusedConsumers.put("worker-1", code);

        // then the claim is lost with the reason, after that one heartbeat: it was not retried
        ClaimLoss loss = claim.lost().get(2, TimeUnit.SECONDS);
        assertThat(loss.reason()).isEqualTo(reason);
        assertThat(loss.detail()).contains(code);
        assertThat(ledger.heartbeatsOf("worker-1")).hasSize(1);
        assertThatThrownBy(claim::checkHeld).isInstanceOf(ClaimLostException.class)
                .extracting(failure -> ((ClaimLostException) failure).loss()).isEqualTo(loss);
    }

    @Test
    void aStaleEpochInABatchEndsOnlyThatClaimAndItIsNeverSentAnotherHeartbeat() throws Exception {
        // given three claims of one tenant, renewed together
        ClaimsClient client = ledger.client();
        HeldClaim first = client.claim(TENANT, request("worker-1", TTL));
        HeldClaim second = client.claim(TENANT, request("worker-2", TTL));
        HeldClaim third = client.claim(TENANT, request("worker-3", TTL));

        // when the ledger answers stale_epoch for the second one only
        ledger.refusedConsumers.put("worker-2", "stale_epoch");
        ClaimLoss loss = second.lost().get(2, TimeUnit.SECONDS);

        // then only the second is lost; the others are renewed on, and the lost one gets no more heartbeats
        int othersAtTheLoss = ledger.heartbeatsOf("worker-1").size() + ledger.heartbeatsOf("worker-3").size();
        await().atMost(Duration.ofSeconds(3)).until(() -> ledger.heartbeatsOf("worker-1").size()
                + ledger.heartbeatsOf("worker-3").size() >= othersAtTheLoss + 4);
        assertThat(loss.reason()).isEqualTo(LossReason.STALE_EPOCH);
        assertThat(first.isHeld()).isTrue();
        assertThat(third.isHeld()).isTrue();
        assertThat(second.isHeld()).isFalse();
        assertThat(ledger.heartbeatsOf("worker-2")).hasSize(1);
        assertThat(client.health().claimsHeld()).isEqualTo(2);
    }

    @Test
    void aClaimWithNoAcknowledgementInTimeIsGivenUpBeforeItsLeaseCouldEnd() throws Exception {
        // given a held claim with a 2 s lease (requests of 500 ms, safety margin 200 ms)
        ClaimsClient client = ledger.client();
        long sentBefore = System.nanoTime();
        Instant claimed = Instant.now();
        HeldClaim claim = client.claim(TENANT, request("worker-1", Duration.ofSeconds(2)));
        Instant leaseEnd = claim.leaseExpiresAt();

        // when the ledger answers no heartbeat in time any more
        ledger.batchDelay = Duration.ofSeconds(10);
        ledger.batchesToDelay.set(Integer.MAX_VALUE);

        // then the claim is lost once 1.8 s have passed since the claim was sent, before the ledger's lease end
        ClaimLoss loss = claim.lost().get(4, TimeUnit.SECONDS);
        long lostAfter = System.nanoTime() - sentBefore;
        assertThat(loss.reason()).isEqualTo(LossReason.NO_ACK_WITHIN_LEASE);
        assertThat(lostAfter).isGreaterThanOrEqualTo(Duration.ofMillis(1_800).toNanos());
        assertThat(loss.at()).isAfter(claimed.plusMillis(1_790)).isBefore(leaseEnd);
        // it tried more than once meanwhile: every try was sent before the loss
        assertThat(ledger.heartbeatsOf("worker-1")).hasSizeGreaterThanOrEqualTo(2)
                .allMatch(heartbeat -> heartbeat.receivedAt().isBefore(loss.at()));
        assertThat(claim.isHeld()).isFalse();
        assertThat(client.health().claimsLost()).isEqualTo(1);
        assertThat(client.health().claimsHeld()).isZero();
    }

    @Test
    void aStalledRenewerStillLeadsToTheLossBeingReportedOnTimeAndNoHeartbeatAfterIt() throws Exception {
        // given a client whose renewer runs on a thread the test can stall, and a claim it has renewed
        ScheduledThreadPoolExecutor renewer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "stallable-renewer");
            thread.setDaemon(true);
            return thread;
        });
        ClaimsClient client = ledger.client(builder -> builder.renewerExecutor(renewer));
        HeldClaim claim = client.claim(TENANT, request("worker-1", STALL_TTL));
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.heartbeatsOf("worker-1").size() >= 2);

        // when the renewer's thread stalls, as in a long GC pause, past the lease
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        renewer.execute(() -> {
            stalled.countDown();
            try {
                resume.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stalled.await();
        AtomicReference<String> listenerThread = new AtomicReference<>();
        ClaimLoss loss;
        try {
            // then the loss is reported while it is still stalled, before the lease the ledger acknowledged ends
            loss = claim.lost().whenComplete((lost, failure) -> listenerThread.set(Thread.currentThread().getName()))
                    .get(STALL_TTL.toSeconds() + 1, TimeUnit.SECONDS);
            assertThat(claim.isHeld()).isFalse();
        } finally {
            resume.countDown();
        }
        assertThat(loss.reason()).isEqualTo(LossReason.NO_ACK_WITHIN_LEASE);
        assertThat(loss.at()).isBefore(claim.leaseExpiresAt());
        assertThat(listenerThread.get()).matches(NOTIFIER);

        // and once the renewer runs again, it sends nothing for the lost claim
        int heartbeatsAtTheLoss = ledger.heartbeatsOf("worker-1").size();
        Thread.sleep(800);
        assertThat(ledger.heartbeatsOf("worker-1")).hasSize(heartbeatsAtTheLoss)
                .allMatch(heartbeat -> heartbeat.receivedAt().isBefore(loss.at()));
        assertThat(client.health().renewerLastRan()).isAfter(loss.at());
    }

    @Test
    void aLossIsReportedExactlyOnceOffTheRenewersThreadWhateverElseNoticesIt() throws Exception {
        // given a held claim with two listeners, and threads that keep checking it
        ClaimsClient client = ledger.client();
        HeldClaim claim = client.claim(TENANT, request("worker-1", TTL));
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        List<String> threads = new CopyOnWriteArrayList<>();
        claim.lost().thenAccept(loss -> {
            first.incrementAndGet();
            threads.add(Thread.currentThread().getName());
        });
        claim.lost().thenAccept(loss -> {
            second.incrementAndGet();
            threads.add(Thread.currentThread().getName());
        });
        Set<ClaimLoss> seen = ConcurrentHashMap.newKeySet();
        List<Thread> checkers = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofMillis(1_800).toNanos();
        for (int i = 0; i < 4; i++) {
            Thread checker = new Thread(() -> {
                while (System.nanoTime() < until) {
                    try {
                        claim.checkHeld();
                    } catch (ClaimLostException e) {
                        seen.add(e.loss());
                    }
                }
            });
            checker.start();
            checkers.add(checker);
        }

        // when the ledger answers stale_epoch, and the lease's deadline passes too (the checkers see it by the clock)
        ledger.refusedConsumers.put("worker-1", "stale_epoch");
        for (Thread checker : checkers) {
            checker.join();
        }

        // then each listener ran once, on the notifier, and everyone saw the one loss; the client counted one
        ClaimLoss loss = claim.lost().get();
        assertThat(first).hasValue(1);
        assertThat(second).hasValue(1);
        assertThat(threads).allMatch(name -> name.matches(NOTIFIER));
        assertThat(seen).containsExactly(loss);
        // the ledger's answer normally comes first; on a machine busy enough, the deadline can
        assertThat(loss.reason()).isIn(LossReason.STALE_EPOCH, LossReason.NO_ACK_WITHIN_LEASE);
        assertThat(client.health().claimsLost()).isEqualTo(1);
        // and closing it afterwards sends nothing
        claim.close();
        assertThat(ledger.releases).isEmpty();
    }

    @Test
    void aFixedLeaseIsPingedAndLostAsExpiredAtItsPlannedEnd() throws Exception {
        // given a claim with a fixed 1 s lease
        ClaimsClient client = ledger.client();
        Instant claimed = Instant.now();
        HeldClaim claim = client.claim(TENANT, ClaimRequest.builder("worker-1", 1, "https://example.test/e",
                "/streams/e").leaseTtl(TTL).leasePolicy(LeasePolicy.FIXED).build());

        // when its end comes, though every ping was acknowledged
        ClaimLoss loss = claim.lost().get(2, TimeUnit.SECONDS);

        // then it is lost as expired, 0.9 s after it was claimed and before the lease's end, pinged meanwhile
        assertThat(loss.reason()).isEqualTo(LossReason.EXPIRED);
        assertThat(loss.at()).isAfter(claimed.plusMillis(890)).isBefore(claim.leaseExpiresAt());
        assertThat(ledger.heartbeatsOf("worker-1")).hasSizeGreaterThanOrEqualTo(2);
    }

}
