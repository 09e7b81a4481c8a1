package dev.claimsledger.client;

import static dev.claimsledger.client.Claims.TENANT;
import static dev.claimsledger.client.Claims.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Making a claim: what the ledger refuses is thrown with its code; what it could not answer is tried again. */
class ClaimingTest {

    private final FakeLedger ledger = new FakeLedger();
    private final ClaimsClient client = ledger.client();

    @AfterEach
    void stop() throws InterruptedException {
        ledger.close();
    }

    @ParameterizedTest
    @CsvSource({"409, stale_epoch", "409, conflict", "400, validation_failed", "403, forbidden"})
    void aRefusedClaimThrowsTheLedgersCode(int status, String code) {
        // given a ledger that refuses the claim
        ledger.claimRefusal = code;
        ledger.claimRefusalStatus = status;

        // when it is claimed, then the refusal is thrown with the ledger's code, and nothing is renewed
        assertThatThrownBy(() -> client.claim(TENANT, request("worker-1", Duration.ofSeconds(3))))
                .isInstanceOfSatisfying(ClaimRejectedException.class, rejection -> {
                    assertThat(rejection.code()).isEqualTo(code);
                    assertThat(rejection.status()).isEqualTo(status);
                });
        assertThat(ledger.claimRequests).hasValue(1);
        assertThat(client.health().claimsHeld()).isZero();
    }

    @Test
    void aClaimAnswered503IsTriedAgain() {
        // given a ledger that answers the next two claims with 503
        ledger.claimsToFail.set(2);

        // when a claim is made (with a 10 s lease: tries for 9 s), then the third try makes it
        HeldClaim claim = client.claim(TENANT, request("worker-1", Duration.ofSeconds(10)));
        assertThat(claim.isHeld()).isTrue();
        assertThat(ledger.claimRequests).hasValue(3);
        assertThat(client.health().claimsHeld()).isEqualTo(1);
    }

    @Test
    void aClaimNoLedgerAnswersFailsAsUnavailableOnceItsLeaseWouldBeOfNoUse() throws InterruptedException {
        // given no ledger listening
        ledger.stop();

        // when a claim with a 1 s lease is made, then it is tried until 0.9 s have passed and fails as unavailable
        long started = System.nanoTime();
        assertThatThrownBy(() -> client.claim(TENANT, request("worker-1", Duration.ofSeconds(1))))
                .isInstanceOfSatisfying(ClaimRejectedException.class, rejection -> {
                    assertThat(rejection.code()).isEqualTo("unavailable");
                    assertThat(rejection.status()).isZero();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(700),
                Duration.ofMillis(1_500));
    }

    @Test
    void aRepeatedClaimWithAlmostNoLeaseLeftIsRefusedAsExpired() {
        // given a ledger that answers the claim as a repeat with 100 ms of its 2 s lease left (less than the margin)
        ledger.claimRemaining = Duration.ofMillis(100);

        // when it is claimed, then it is refused, and not held
        assertThatThrownBy(() -> client.claim(TENANT, request("worker-1", Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(ClaimRejectedException.class,
                        rejection -> assertThat(rejection.code()).isEqualTo("claim_expired"));
        assertThat(client.health().claimsHeld()).isZero();
    }

    @Test
    void theSameClaimMadeTwiceThroughOneClientIsOneHeldClaim() {
        // given a held claim, when the same claim is made again (the ledger answers it as a repeat)
        HeldClaim first = client.claim(TENANT, request("worker-1", Duration.ofSeconds(3)));
        ledger.claimRemaining = Duration.ofSeconds(2);
        HeldClaim again = client.claim(TENANT, request("worker-1", Duration.ofSeconds(3)));

        // then both are the one claim in the renewal set
        assertThat(again).isSameAs(first);
        assertThat(client.health().claimsHeld()).isEqualTo(1);
    }

    @Test
    void idsAreSentAsPathSegments() {
        // given a tenant and a consumer whose ids hold a slash, a space and non-ASCII letters
        String tenant = "acme/eu west";
        String consumer = "wörker 1/2";

        // when it is claimed and released
        HeldClaim claim = client.claim(tenant, request(consumer, Duration.ofSeconds(3)));
        claim.close();

        // then the ledger read the same ids back
        assertThat(ledger.releasesOf(consumer)).singleElement()
                .satisfies(release -> assertThat(release.tenant()).isEqualTo(tenant));
    }
}
