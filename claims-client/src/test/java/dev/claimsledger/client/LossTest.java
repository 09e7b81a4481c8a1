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
    private static final String NOTIFIER = "claims-client-\\d+-notifier";

    private final FakeLedger ledger = new FakeLedger();
    private final List<ClaimsClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        clients.forEach(ClaimsClient::close);
        ledger.close();
    }

    @ParameterizedTest
    @CsvSource({"stale_epoch, STALE_EPOCH", "claim_not_active, NOT_ACTIVE", "claim_expired, EXPIRED",
            "claim_not_found, NOT_ACTIVE"})
    void aRefusalThatEndsTheClaimLosesItAtOnceWithItsReason(String code, LossReason reason) throws Exception {
        // given a held claim
        HeldClaim claim = client().claim(TENANT, request("worker-1", TTL));

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
        ClaimsClient client = client();
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
        ClaimsClient client = client();
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
        ClaimsClient client = client(ClaimsClient.builder(ledger.baseUrl()).renewerExecutor(renewer));
        HeldClaim claim = client.claim(TENANT, request("worker-1", TTL));
        await().atMost(Duration.ofSeconds(2)).until(() -> ledger.heartbeatsOf("worker-1").size() >= 2);

        // when the renewer's thread stalls, as in a long GC pause, past the lease
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        renewer.execute(() -> {
            stalled.countDown();
            try {
                resume.await(10, TimeUnit.SECONDS);
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
                    .get(2, TimeUnit.SECONDS);
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
        // given a held claim with two listeners, and threads that keep looking at it
        ClaimsClient client = client();
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
        List<Thread> lookers = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofMillis(1_800).toNanos();
        for (int i = 0; i < 4; i++) {
            Thread looker = new Thread(() -> {
                while (System.nanoTime() < until) {
                    try {
                        claim.checkHeld();
                    } catch (ClaimLostException expected) {
                        claim.isHeld();
                    }
                }
            });
            looker.start();
            lookers.add(looker);
        }

        // when the ledger answers stale_epoch, and then the lease's deadline passes too
        ledger.refusedConsumers.put("worker-1", "stale_epoch");
        for (Thread looker : lookers) {
            looker.join();
        }

        // then each listener ran once, on the notifier, with the first reason; the client counted one loss
        assertThat(first).hasValue(1);
        assertThat(second).hasValue(1);
        assertThat(threads).allMatch(name -> name.matches(NOTIFIER));
        assertThat(claim.lost().get()).extracting(ClaimLoss::reason).isEqualTo(LossReason.STALE_EPOCH);
        assertThat(client.health().claimsLost()).isEqualTo(1);
        // and closing it afterwards sends nothing
        claim.close();
        assertThat(ledger.releases).isEmpty();
    }

    @Test
    void aFixedLeaseIsPingedAndLostAsExpiredAtItsPlannedEnd() throws Exception {
        // given a claim with a fixed 1 s lease
        ClaimsClient client = client();
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

    private ClaimsClient client() {
        return client(ClaimsClient.builder(ledger.baseUrl()));
    }

    private ClaimsClient client(ClaimsClient.Builder builder) {
        ClaimsClient client = builder.build();
        clients.add(client);
        return client;
    }
}
