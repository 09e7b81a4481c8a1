package dev.claimsledger.client;

import static dev.claimsledger.client.Claims.TENANT;
import static dev.claimsledger.client.Claims.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Claims stay held by themselves: renewed in batches, through 503s, time-outs and refused connections. */
class RenewalTest {

    private static final Duration TTL = Duration.ofSeconds(1);

    private final FakeLedger ledger = new FakeLedger();

    @AfterEach
    void stop() throws InterruptedException {
        ledger.close();
    }

    @Test
    void theDueClaimsOfATenantAreRenewedTogetherInOneRequest() {
        // given 60 claims of one tenant
        ClaimsClient client = ledger.client();
        List<HeldClaim> held = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            held.add(client.claim(TENANT, request("worker-" + i, TTL)));
        }

        // when each has been renewed a few times
        await().atMost(Duration.ofSeconds(5)).until(() -> held.stream()
                .allMatch(claim -> ledger.heartbeatsOf(claim.consumerId()).size() >= 3));

        // then they went out many to a request (counted once the client has stopped: it counts a request as it sends
        // it, the fake ledger as it receives it)
        assertThat(held).allMatch(HeldClaim::isHeld);
        client.close();
        int heartbeats = ledger.heartbeats.size();
        int requests = ledger.batchRequests.get();
        assertThat(heartbeats).as("heartbeats per request (%d in %d)", heartbeats, requests)
                .isGreaterThanOrEqualTo(5 * requests);
        assertThat(client.health().heartbeatsSent()).isEqualTo(heartbeats);
        assertThat(client.health().heartbeatRequests()).isEqualTo(requests);
    }

    @Test
    void aBatchNeverHoldsMoreThanTheLimitNorHeartbeatsOfAnotherTenant() {
        // given a client that puts at most 7 heartbeats in a request, holding claims of two tenants
        ClaimsClient client = ledger.client(builder -> builder.maxBatchSize(7));
        for (int i = 0; i < 20; i++) {
            String tenant = "tenant-" + (i % 2);
            client.claim(tenant, request(tenant + "-worker-" + i, TTL));
        }

        // when they have been renewed
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.heartbeats.size() >= 60);

        // then each request held one tenant's heartbeats, and at most 7 of them
        assertThat(ledger.batches).extracting(Map.Entry::getValue).allMatch(size -> size >= 1 && size <= 7);
        assertThat(ledger.heartbeats).allMatch(heartbeat -> heartbeat.consumerId().startsWith(heartbeat.tenant() + "-"));
    }

    @Test
    void renewalComesAboutAThirdOfTheTtlAfterTheLastAcknowledgement() {
        // given a claim with a 3 s lease
        ClaimsClient client = ledger.client();
        Instant claimedAt = Instant.now();
        HeldClaim claim = client.claim(TENANT, request("worker-1", Duration.ofSeconds(3)));

        // when it has been renewed three times
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.heartbeatsOf("worker-1").size() >= 3);

        // then each renewal came 0.75 to 1 s after the one before (a third of 2.7 s, less up to 15% of jitter)
        List<Instant> times = new ArrayList<>(List.of(claimedAt));
        ledger.heartbeatsOf("worker-1").stream().limit(3).forEach(heartbeat -> times.add(heartbeat.receivedAt()));
        for (int i = 1; i < times.size(); i++) {
            assertThat(Duration.between(times.get(i - 1), times.get(i)))
                    .as("renewal %d", i).isBetween(Duration.ofMillis(700), Duration.ofMillis(1_100));
        }
        assertThat(claim.isHeld()).isTrue();
    }

    @Test
    void a503IsRetriedAndTheClaimStaysHeld() {
        // given a held claim, and a ledger that answers its next two batches with 503
        ClaimsClient client = ledger.client();
        HeldClaim claim = client.claim(TENANT, request("worker-1", TTL));
        ledger.batchesToFail.set(2);

        // when renewal comes
        await().atMost(Duration.ofSeconds(3)).until(() -> ledger.heartbeatsOf("worker-1").size() >= 4);

        // then the client tried again at once, and the claim was never lost
        assertThat(claim.isHeld()).isTrue();
        assertThat(claim.lost()).isNotDone();
        ClientHealth health = client.health();
        assertThat(health.renewalFailures()).isEqualTo(2);
        assertThat(health.lastSuccessfulRenewal()).isNotNull();
        assertThat(health.claimsLost()).isZero();
    }

    @Test
    void aRequestThatTimesOutIsRetriedAndTheClaimStaysHeld() {
        // given a held claim with a 1 s lease (requests of 250 ms), and a ledger that holds its next batch for 600 ms
        ClaimsClient client = ledger.client();
        HeldClaim claim = client.claim(TENANT, request("worker-1", TTL));
        ledger.batchDelay = Duration.ofMillis(600);
        ledger.batchesToDelay.set(1);

        // when renewal comes
        await().atMost(Duration.ofSeconds(3)).until(() -> ledger.heartbeatsOf("worker-1").size() >= 3);

        // then the late request was given up after its time-out and tried again, and the claim was never lost
        assertThat(claim.isHeld()).isTrue();
        assertThat(client.health().renewalFailures()).isGreaterThanOrEqualTo(1);
        assertThat(client.health().claimsLost()).isZero();
    }

    @Test
    void aRefusedConnectionIsRetriedAndTheClaimStaysHeldWhenTheLedgerIsBackInTime() throws InterruptedException {
        // given a held claim with a 2 s lease (given up 1.8 s after the last acknowledged send)
        ClaimsClient client = ledger.client();
        HeldClaim claim = client.claim(TENANT, request("worker-1", Duration.ofSeconds(2)));

        // when the ledger refuses connections for 1 s, over the claim's first renewal, and is back on the same port
        ledger.stop();
        Thread.sleep(1_000);
        long failuresWhileDown = client.health().renewalFailures();
        ledger.start();

        // then the renewal went through once the ledger was back, and the claim was never lost
        await().atMost(Duration.ofSeconds(2)).until(() -> ledger.heartbeatsOf("worker-1").size() >= 1);
        assertThat(failuresWhileDown).isGreaterThanOrEqualTo(1);
        assertThat(claim.isHeld()).isTrue();
        assertThat(claim.lost()).isNotDone();
    }

    @Test
    void theRenewerGoesOnAfterAnAnswerItCannotRead() {
        // given a held claim, and a ledger whose next answer holds a lease end that is not an instant
        ClaimsClient client = ledger.client();
        HeldClaim claim = client.claim(TENANT, request("worker-1", TTL));
        ledger.batchesToGarble.set(1);

        // when renewal comes, twice
        await().atMost(Duration.ofSeconds(3)).until(() -> ledger.heartbeatsOf("worker-1").size() >= 3);

        // then the error was counted, the renewer went on and the claim is still held
        assertThat(client.health().unexpectedErrors()).isEqualTo(1);
        assertThat(claim.isHeld()).isTrue();
        assertThat(client.health().lastSuccessfulRenewal()).isNotNull();
        assertThat(client.health().renewerLastRan()).isAfter(Instant.now().minusSeconds(1));
    }

    @Test
    void aRepeatedClaimIsRenewedSoonWhenLittleOfItsLeaseIsLeft() {
        // given a ledger that answers the claim as a repeat, with 600 ms of its 3 s lease left
        ledger.claimRemaining = Duration.ofMillis(600);
        ClaimsClient client = ledger.client();

        // when it is claimed
        Instant claimedAt = Instant.now();
        HeldClaim claim = client.claim(TENANT, request("worker-1", Duration.ofSeconds(3)));

        // then the client renews within a third of what is left, not a third of the TTL, and keeps it
        await().atMost(Duration.ofSeconds(2)).until(() -> ledger.heartbeatsOf("worker-1").size() >= 1);
        assertThat(Duration.between(claimedAt, ledger.heartbeatsOf("worker-1").get(0).receivedAt()))
                .isLessThan(Duration.ofMillis(500));
        assertThat(claim.isHeld()).isTrue();
    }
}
