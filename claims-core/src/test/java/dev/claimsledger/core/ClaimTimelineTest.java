package dev.claimsledger.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.api.LeasePolicy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A summary (a run whose heartbeat detail retention dropped) in a claim's history: it counts as a whole from its last
 * heartbeat's time, with the lease it recorded, and only for its own epoch.
 */
class ClaimTimelineTest {

    private static final Instant CLAIMED_AT = Instant.parse("2026-03-01T12:00:00Z");
    private static final long TTL_MS = 30_000;
    private static final ClaimMaterialized CLAIMED = new ClaimMaterialized("acme", "worker", 2, "https://e/1", "/s/1",
            null, "runner", TTL_MS, LeasePolicy.RENEW_ON_HEARTBEAT, CLAIMED_AT, CLAIMED_AT.plusMillis(TTL_MS));
    private static final HeartbeatsCompacted SUMMARY = summary(2, 5, CLAIMED_AT.plusSeconds(10),
            CLAIMED_AT.plusSeconds(40));
    private static final HeartbeatReceived AFTER = new HeartbeatReceived("acme", "worker", 2,
            CLAIMED_AT.plusSeconds(50), null, CLAIMED_AT.plusSeconds(80));

    @Test
    void beforeTheSummarysLastHeartbeatTheClaimStandsAsItWasBeforeTheRun() {
        ClaimState state = ClaimTimeline.stateAt(List.of(CLAIMED, SUMMARY, AFTER), 2, CLAIMED_AT.plusSeconds(39))
                .orElseThrow();

        assertThat(state.heartbeatCount()).isZero();
        assertThat(state.lastHeartbeatAt()).isNull();
        assertThat(state.leaseExpiresAt()).isEqualTo(CLAIMED_AT.plusMillis(TTL_MS));
    }

    @Test
    void fromItsLastHeartbeatOnTheSummaryCountsEveryHeartbeatWithTheLeaseItRecorded() {
        ClaimState state = ClaimTimeline.stateAt(List.of(CLAIMED, SUMMARY, AFTER), 2, CLAIMED_AT.plusSeconds(40))
                .orElseThrow();

        assertThat(state.status()).isEqualTo(ClaimStatus.ACTIVE);
        assertThat(state.heartbeatCount()).isEqualTo(5);
        assertThat(state.lastHeartbeatAt()).isEqualTo(CLAIMED_AT.plusSeconds(40));
        assertThat(state.leaseExpiresAt()).isEqualTo(CLAIMED_AT.plusSeconds(70));
        assertThat(state.updatedAt()).isEqualTo(CLAIMED_AT.plusSeconds(40));
    }

    @Test
    void heartbeatsAndAReleaseAfterTheSummaryCountOnFromIt() {
        ClaimReleased released = new ClaimReleased("acme", "worker", 2, CLAIMED_AT.plusSeconds(60), List.of(),
                CLAIMED_AT.plusSeconds(80));

        ClaimState state = ClaimTimeline.stateAt(List.of(CLAIMED, SUMMARY, AFTER, released), 2,
                CLAIMED_AT.plusSeconds(90)).orElseThrow();

        assertThat(state.heartbeatCount()).isEqualTo(6);
        assertThat(state.lastHeartbeatAt()).isEqualTo(CLAIMED_AT.plusSeconds(50));
        assertThat(state.leaseExpiresAt()).isEqualTo(CLAIMED_AT.plusSeconds(80));
        assertThat(state.status()).isEqualTo(ClaimStatus.RELEASED);
    }

    @Test
    void aSummaryOfAnotherEpochIsNotCounted() {
        ClaimState state = ClaimTimeline.stateAt(List.of(CLAIMED, summary(1, 7, CLAIMED_AT.plusSeconds(1),
                CLAIMED_AT.plusSeconds(20))), 2, CLAIMED_AT.plusSeconds(25)).orElseThrow();

        assertThat(state.heartbeatCount()).isZero();
        assertThat(state.leaseExpiresAt()).isEqualTo(CLAIMED_AT.plusMillis(TTL_MS));
    }

    /** A summary of {@code count} heartbeats of {@code epoch}, the lease running a TTL past the last one. */
    private static HeartbeatsCompacted summary(long epoch, int count, Instant first, Instant last) {
        return new HeartbeatsCompacted("acme", "worker", epoch, TTL_MS, LeasePolicy.RENEW_ON_HEARTBEAT, 1, count,
                first.minusSeconds(1).plusMillis(TTL_MS), "hash-before", last, null, last.plusMillis(TTL_MS),
                "summary1", new byte[0]);
    }
}
