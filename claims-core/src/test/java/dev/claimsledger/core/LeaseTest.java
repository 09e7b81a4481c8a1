package dev.claimsledger.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.api.LeasePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lease invariant: a lease always has an end, and nothing moves that end earlier.
 */
class LeaseTest {

    private static final Instant CLAIMED_AT = Instant.parse("2025-03-01T12:00:00Z");
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Instant END = CLAIMED_AT.plus(TTL);

    // ---- never null ----

    @Test
    void aLeaseCannotBeMadeWithoutAnEnd() {
        assertThatThrownBy(() -> new Lease(null, TTL, LeasePolicy.RENEW_ON_HEARTBEAT))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aLeaseCannotBeMadeWithoutATtl() {
        assertThatThrownBy(() -> new Lease(END, null, LeasePolicy.RENEW_ON_HEARTBEAT))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aLeaseCannotBeMadeWithoutAPolicy() {
        assertThatThrownBy(() -> new Lease(END, TTL, null))
                .isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @MethodSource("nonPositiveTtls")
    void aLeaseNeedsAPositiveTtl(Duration ttl) {
        assertThatThrownBy(() -> new Lease(END, ttl, LeasePolicy.RENEW_ON_HEARTBEAT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Duration> nonPositiveTtls() {
        return Stream.of(Duration.ZERO, Duration.ofMillis(-1), TTL.negated());
    }

    @Test
    void aLeaseCannotBeGrantedWithoutLedgerTime() {
        assertThatThrownBy(() -> Lease.grant(null, TTL, LeasePolicy.RENEW_ON_HEARTBEAT))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aLeaseCannotBeExtendedToNoEnd() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.RENEW_ON_HEARTBEAT);

        assertThatThrownBy(() -> lease.extendedTo(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aLeaseCannotBeRecordedAsHavingNoEnd() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.RENEW_ON_HEARTBEAT);

        assertThatThrownBy(() -> lease.recordedAs(null)).isInstanceOf(NullPointerException.class);
    }

    // ---- grant ----

    @ParameterizedTest
    @EnumSource(LeasePolicy.class)
    void aGrantedLeaseEndsOneTtlAfterLedgerNow(LeasePolicy policy) {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, policy);

        assertThat(lease).isEqualTo(new Lease(END, TTL, policy));
    }

    // ---- heartbeats ----

    @Test
    void aFixedLeaseIsLeftAsItIsByAHeartbeat() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.FIXED);

        Lease after = lease.afterHeartbeat(CLAIMED_AT.plusSeconds(20));

        assertThat(after).isEqualTo(lease);
    }

    @Test
    void aRenewingHeartbeatMovesTheLeaseToNowPlusTtl() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.RENEW_ON_HEARTBEAT);
        Instant now = CLAIMED_AT.plusSeconds(20);

        Lease after = lease.afterHeartbeat(now);

        assertThat(after).isEqualTo(new Lease(now.plus(TTL), TTL, LeasePolicy.RENEW_ON_HEARTBEAT));
    }

    @Test
    void aRenewingHeartbeatAtAnEarlierLedgerTimeNeverMovesTheLeaseEarlier() {
        Lease lease = new Lease(END.plusSeconds(60), TTL, LeasePolicy.RENEW_ON_HEARTBEAT);

        Lease after = lease.afterHeartbeat(CLAIMED_AT.plusSeconds(10));

        assertThat(after.expiresAt()).isEqualTo(END.plusSeconds(60));
    }

    @Test
    void aRenewingHeartbeatAfterTheLeaseEndStillRenewsIt() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.RENEW_ON_HEARTBEAT);
        Instant late = END.plusSeconds(5);

        Lease after = lease.afterHeartbeat(late);

        assertThat(after.expiresAt()).isEqualTo(late.plus(TTL));
    }

    @ParameterizedTest(name = "{0}, heartbeat {1} after the claim")
    @MethodSource("policiesAndHeartbeatOffsets")
    void aHeartbeatNeverShortensTheLeaseUnderEitherPolicy(LeasePolicy policy, Duration sinceClaim) {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, policy);

        Lease after = lease.afterHeartbeat(CLAIMED_AT.plus(sinceClaim));

        assertThat(after.expiresAt()).isNotNull().isAfterOrEqualTo(lease.expiresAt());
    }

    static Stream<Arguments> policiesAndHeartbeatOffsets() {
        return Stream.of(LeasePolicy.values()).flatMap(policy -> Stream.of(
                        Duration.ofDays(-1), Duration.ofSeconds(-1), Duration.ZERO, Duration.ofMillis(1),
                        TTL.minusMillis(1), TTL, TTL.plusSeconds(90), Duration.ofDays(2))
                .map(offset -> Arguments.of(policy, offset)));
    }

    @ParameterizedTest
    @EnumSource(LeasePolicy.class)
    void aHeartbeatKeepsTheTtlAndThePolicy(LeasePolicy policy) {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, policy);

        Lease after = lease.afterHeartbeat(CLAIMED_AT.plusSeconds(20));

        assertThat(after.ttl()).isEqualTo(TTL);
        assertThat(after.policy()).isEqualTo(policy);
    }

    // ---- extending ----

    @Test
    void extendingToALaterEndMovesTheLease() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.FIXED);

        assertThat(lease.extendedTo(END.plusMillis(1)).expiresAt()).isEqualTo(END.plusMillis(1));
    }

    @Test
    void extendingToAnEarlierEndLeavesTheLease() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.RENEW_ON_HEARTBEAT);

        assertThat(lease.extendedTo(END.minusMillis(1))).isEqualTo(lease);
    }

    // ---- recorded ends (loading history) ----

    @Test
    void aRecordedEarlierEndIsRefused() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.RENEW_ON_HEARTBEAT);

        assertThatThrownBy(() -> lease.recordedAs(END.minusMillis(1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRecordedSameEndKeepsTheLease() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.FIXED);

        assertThat(lease.recordedAs(END)).isEqualTo(lease);
    }

    @Test
    void aRecordedLaterEndMovesTheLeaseThere() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.RENEW_ON_HEARTBEAT);

        assertThat(lease.recordedAs(END.plusSeconds(12)))
                .isEqualTo(new Lease(END.plusSeconds(12), TTL, LeasePolicy.RENEW_ON_HEARTBEAT));
    }

    // ---- lapsing ----

    @Test
    void aLeaseHasNotLapsedAMillisecondBeforeItsEnd() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.RENEW_ON_HEARTBEAT);

        assertThat(lease.hasLapsedAt(END.minusMillis(1))).isFalse();
    }

    @Test
    void aLeaseHasLapsedExactlyAtItsEnd() {
        Lease lease = Lease.grant(CLAIMED_AT, TTL, LeasePolicy.RENEW_ON_HEARTBEAT);

        assertThat(lease.hasLapsedAt(END)).isTrue();
    }
}
