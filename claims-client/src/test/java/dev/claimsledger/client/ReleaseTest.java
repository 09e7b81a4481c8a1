package dev.claimsledger.client;

import static dev.claimsledger.client.Claims.TENANT;
import static dev.claimsledger.client.Claims.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A claim leaves the renewal set before its release is sent, and is never sent a heartbeat after it. */
class ReleaseTest {

    private static final Duration TTL = Duration.ofSeconds(1);
    /** More than two renewals of a 1 s lease. */
    private static final Duration TWO_RENEWALS = Duration.ofMillis(800);

    private final FakeLedger ledger = new FakeLedger();
    private final ClaimsClient client = ledger.client();

    @AfterEach
    void stop() throws InterruptedException {
        ledger.close();
    }

    @Test
    void aReleaseSendsTheAckedStreamsAndNoHeartbeatFollowsIt() throws InterruptedException {
        // given a claim that has been renewed
        HeldClaim claim = client.claim(TENANT, request("worker-1", TTL));
        await().atMost(Duration.ofSeconds(2)).until(() -> ledger.heartbeatsOf("worker-1").size() >= 1);

        // when it is released with how far the worker got
        claim.release(List.of(new AckedStream("/streams/worker-1", "17"), new AckedStream("/streams/other", "3")));
        int heartbeatsAtTheRelease = ledger.heartbeatsOf("worker-1").size();
        Thread.sleep(TWO_RENEWALS.toMillis());

        // then the ledger got the acked streams, and no heartbeat since
        assertThat(ledger.releasesOf("worker-1")).singleElement().satisfies(release -> {
            JsonNode acked = release.ackedStreams();
            assertThat(acked).hasSize(2);
            assertThat(acked.get(0).path("path").asText()).isEqualTo("/streams/worker-1");
            assertThat(acked.get(0).path("offset").asText()).isEqualTo("17");
            assertThat(acked.get(1).path("offset").asText()).isEqualTo("3");
        });
        assertThat(ledger.heartbeatsOf("worker-1")).hasSize(heartbeatsAtTheRelease);
        assertThat(claim.isHeld()).isFalse();
        assertThatThrownBy(claim::checkHeld).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
        assertThat(claim.lost()).isNotDone();
        assertThat(client.health().claimsHeld()).isZero();
    }

    @Test
    void closingAClaimReleasesItWithoutAckedStreamsOnceOnly() {
        // given a held claim
        HeldClaim claim = client.claim(TENANT, request("worker-1", TTL));

        // when it is closed, twice, and then released
        claim.close();
        claim.close();
        claim.release(List.of(new AckedStream("/streams/worker-1", "9")));

        // then one release without acked streams reached the ledger
        assertThat(ledger.releasesOf("worker-1")).singleElement()
                .satisfies(release -> assertThat(release.ackedStreams()).isEmpty());
    }

    @Test
    void closingTheClientReleasesEveryClaimAndSendsNothingAfter() throws InterruptedException {
        // given claims held through a client
        ClaimsClient closing = ledger.client();
        List<HeldClaim> held = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            held.add(closing.claim(TENANT, request("worker-" + i, TTL)));
        }

        // when the client is closed
        closing.close();
        int heartbeatsAtTheClose = ledger.heartbeats.size();
        Thread.sleep(TWO_RENEWALS.toMillis());

        // then every claim was released once, nothing was sent after, and the client takes no more claims
        assertThat(ledger.releases).hasSize(40);
        assertThat(held).allMatch(claim -> ledger.releasesOf(claim.consumerId()).size() == 1)
                .noneMatch(HeldClaim::isHeld);
        assertThat(ledger.heartbeats).hasSize(heartbeatsAtTheClose);
        assertThatThrownBy(() -> closing.claim(TENANT, request("worker-late", TTL)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(ledger.claimRequests).hasValue(40);
    }

    @Test
    void aReleaseThatFindsTheClaimLostThrowsTheLoss() throws Exception {
        // given a held claim that the ledger now considers expired
        HeldClaim claim = client.claim(TENANT, request("worker-1", Duration.ofSeconds(3)));
        ledger.releaseRefusal = "claim_expired";

        // when it is released, then the release throws the loss, which lost() reports too
        assertThatThrownBy(() -> claim.release(List.of(new AckedStream("/streams/worker-1", "4"))))
                .isInstanceOf(ClaimLostException.class)
                .extracting(failure -> ((ClaimLostException) failure).loss().reason())
                .isEqualTo(LossReason.EXPIRED);
        assertThat(claim.lost().get(1, TimeUnit.SECONDS).reason()).isEqualTo(LossReason.EXPIRED);
    }

    @Test
    void aReleaseIsRetriedThroughA503() {
        // given a held claim, and a ledger that answers the next release with 503
        HeldClaim claim = client.claim(TENANT, request("worker-1", Duration.ofSeconds(3)));
        ledger.releasesToFail.set(1);

        // when it is released
        claim.release(List.of());

        // then the second try released it
        assertThat(ledger.releasesOf("worker-1")).hasSize(2);
        assertThat(claim.lost()).isNotDone();
        assertThatThrownBy(claim::checkHeld).isInstanceOf(IllegalStateException.class);
    }
}
