package dev.claimsledger.client;

import static dev.claimsledger.client.Claims.TENANT;
import static dev.claimsledger.client.Claims.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Settings that cannot work are refused before anything is sent, and the timing rules leave room for two tries. */
class SettingsTest {

    private static final URI LEDGER = URI.create("http://127.0.0.1:8080");

    @Test
    void aRequestTimeoutThatDoesNotFitInTheDefaultLeaseIsRefusedAtBuild() {
        assertThatThrownBy(() -> ClaimsClient.builder(LEDGER).defaultLeaseTtl(Duration.ofSeconds(3))
                .requestTimeout(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit in a lease of PT3S");
    }

    @Test
    void aLeaseTheRequestTimeoutDoesNotFitInIsRefusedAtClaimBeforeAnythingIsSent() throws InterruptedException {
        // given a client whose requests may take 500 ms
        try (FakeLedger ledger = new FakeLedger();
             ClaimsClient client = ClaimsClient.builder(ledger.baseUrl()).requestTimeout(Duration.ofMillis(500))
                     .build()) {
            // when a claim asks for a 1 s lease, then it is refused and nothing reaches the ledger
            assertThatThrownBy(() -> client.claim(TENANT, request("worker-1", Duration.ofSeconds(1))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not fit in a lease of PT1S");
            assertThat(ledger.claimRequests).hasValue(0);
            // and a 2 s lease, which it fits in, is taken
            assertThat(client.claim(TENANT, request("worker-1", Duration.ofSeconds(2))).isHeld()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"relative/path", "ftp://127.0.0.1/", "http://127.0.0.1:8080/?tenant=acme"})
    void aBaseUrlThatIsNotAnHttpAddressIsRefused(String url) {
        assertThatThrownBy(() -> ClaimsClient.builder(URI.create(url)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
    }

    @Test
    void batchSizesOutsideTheLedgersLimitAreRefused() {
        assertThatThrownBy(() -> ClaimsClient.builder(LEDGER).maxBatchSize(1_001).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000");
        assertThatThrownBy(() -> ClaimsClient.builder(LEDGER).maxBatchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaimsClient.builder(LEDGER).maxRequestBytes(100).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaimsClient.builder(LEDGER).apiKey(" ").build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClaimRequestNeedsItsIdsAndANonNegativeEpoch() {
        assertThatThrownBy(() -> ClaimRequest.builder(" ", 1, "https://example.test/e", "/s").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("consumerId");
        assertThatThrownBy(() -> ClaimRequest.builder("worker-1", -1, "https://example.test/e", "/s").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch");
        assertThatThrownBy(() -> ClaimRequest.builder("worker-1", 1, "https://example.test/e", "/s")
                .leaseTtl(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaseTtl");
    }

    @Test
    void aThreeSecondLeaseHasTheDocumentedFigures() {
        LeaseTiming timing = LeaseTiming.of(Duration.ofSeconds(3), null);

        assertThat(timing.margin()).isEqualTo(Duration.ofMillis(300));
        assertThat(timing.requestTimeout()).isEqualTo(Duration.ofMillis(750));
        long untilDeadline = Duration.ofMillis(2_700).toNanos();
        for (int i = 0; i < 1_000; i++) {
            assertThat(Duration.ofNanos(timing.renewalDelay(untilDeadline, LeasePolicy.RENEW_ON_HEARTBEAT)))
                    .isBetween(Duration.ofMillis(765), Duration.ofMillis(900));
            assertThat(Duration.ofNanos(timing.backoff(1))).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(Duration.ofNanos(timing.backoff(9))).isBetween(Duration.ofMillis(150), Duration.ofMillis(300));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1_000, 3_000, 10_000, 30_000, 120_000, 600_000})
    void twoFullTriesFitBeforeAClaimIsGivenUp(long ttlMillis) {
        Duration ttl = Duration.ofMillis(ttlMillis);
        for (LeaseTiming timing : new LeaseTiming[] {LeaseTiming.of(ttl, null), LeaseTiming.of(ttl, ttl.dividedBy(4))}) {
            // the latest renewal, a try that times out, the longest first backoff and a second try that times out
            long latestRenewal = ttl.toNanos() / 3;
            long tries = latestRenewal + 2 * timing.requestTimeout().toNanos() + Math.min(
                    Duration.ofMillis(100).toNanos(), ttl.toNanos() / 30) + 1;
            long givenUpAt = ttl.toNanos() - timing.margin().toNanos();
            assertThat(tries).as("%s", timing).isLessThan(givenUpAt);
            assertThat(timing.margin()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(500));
        }
    }
}
