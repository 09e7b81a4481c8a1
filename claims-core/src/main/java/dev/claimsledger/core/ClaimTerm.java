package dev.claimsledger.core;

import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One epoch of a consumer's claim, as the aggregate remembers it. Immutable; each transition returns a new term.
 */
record ClaimTerm(long epoch, String entityUrl, String streamPath, String wakeId, String runnerId, Instant claimedAt,
                 Lease lease, Instant lastHeartbeatAt, long heartbeatCount, ClaimStatus status, Instant releasedAt,
                 Instant endedAt, List<AckedStream> ackedStreams, Instant updatedAt) {

    ClaimTerm {
        Objects.requireNonNull(lease, "a claim always has a lease");
        Objects.requireNonNull(status, "status");
        if (!lease.expiresAt().isAfter(claimedAt)) {
            throw new IllegalStateException("a lease must end after the claim was made");
        }
        ackedStreams = ackedStreams == null ? List.of() : List.copyOf(ackedStreams);
    }

    static ClaimTerm materialized(ClaimMaterialized event) {
        Lease lease = new Lease(event.leaseExpiresAt(), Duration.ofMillis(event.leaseTtlMs()), event.leasePolicy());
        return new ClaimTerm(event.epoch(), event.entityUrl(), event.streamPath(), event.wakeId(), event.runnerId(),
                event.claimedAt(), lease, null, 0, ClaimStatus.ACTIVE, null, null, List.of(), event.claimedAt());
    }

    boolean isActive() {
        return status == ClaimStatus.ACTIVE;
    }

    /** Whether a repeat of the materialize command asks for exactly this term. */
    boolean sameTermsAs(MaterializeClaim command) {
        return Objects.equals(entityUrl, command.entityUrl())
                && Objects.equals(streamPath, command.streamPath())
                && Objects.equals(wakeId, command.wakeId())
                && Objects.equals(runnerId, command.runnerId())
                && lease.ttl().toMillis() == command.leaseTtlMs()
                && lease.policy() == LeasePolicy.orDefault(command.leasePolicy());
    }

    ClaimTerm heartbeat(Instant receivedAt, Instant recordedLeaseEnd) {
        return new ClaimTerm(epoch, entityUrl, streamPath, wakeId, runnerId, claimedAt, lease.recordedAs(recordedLeaseEnd),
                receivedAt, heartbeatCount + 1, status, releasedAt, endedAt, ackedStreams, receivedAt);
    }

    /**
     * The term after {@code count} more heartbeats, the last received at {@code lastReceivedAt}, with the lease they
     * left: a compacted run of heartbeats.
     */
    ClaimTerm heartbeats(long count, Instant lastReceivedAt, Instant recordedLeaseEnd) {
        if (count <= 0) {
            return this;
        }
        return new ClaimTerm(epoch, entityUrl, streamPath, wakeId, runnerId, claimedAt, lease.recordedAs(recordedLeaseEnd),
                lastReceivedAt, heartbeatCount + count, status, releasedAt, endedAt, ackedStreams, lastReceivedAt);
    }

    /**
     * The term after a heartbeat with the lease exactly as recorded, even if earlier than before: for reading a
     * history that may have been altered, which the audit reports rather than refuses.
     */
    ClaimTerm heartbeatAsRecorded(Instant receivedAt, Instant recordedLeaseEnd) {
        return new ClaimTerm(epoch, entityUrl, streamPath, wakeId, runnerId, claimedAt,
                new Lease(recordedLeaseEnd, lease.ttl(), lease.policy()), receivedAt, heartbeatCount + 1, status,
                releasedAt, endedAt, ackedStreams, receivedAt);
    }

    /** {@link #heartbeatAsRecorded} for {@code count} heartbeats, the last received at {@code lastReceivedAt}. */
    ClaimTerm heartbeatsAsRecorded(long count, Instant lastReceivedAt, Instant recordedLeaseEnd) {
        return new ClaimTerm(epoch, entityUrl, streamPath, wakeId, runnerId, claimedAt,
                new Lease(recordedLeaseEnd, lease.ttl(), lease.policy()), lastReceivedAt, heartbeatCount + count,
                status, releasedAt, endedAt, ackedStreams, lastReceivedAt);
    }

    ClaimTerm released(Instant at, List<AckedStream> acked) {
        return new ClaimTerm(epoch, entityUrl, streamPath, wakeId, runnerId, claimedAt, lease, lastHeartbeatAt,
                heartbeatCount, ClaimStatus.RELEASED, at, at, acked, at);
    }

    ClaimTerm ended(ClaimStatus endStatus, Instant at) {
        return new ClaimTerm(epoch, entityUrl, streamPath, wakeId, runnerId, claimedAt, lease, lastHeartbeatAt,
                heartbeatCount, endStatus, releasedAt, at, ackedStreams, at);
    }

    ClaimState toState(String tenantId, String consumerId) {
        return new ClaimState(tenantId, consumerId, epoch, entityUrl, streamPath, wakeId, runnerId, status, claimedAt,
                lastHeartbeatAt, lease.expiresAt(), lease.ttl().toMillis(), lease.policy(), releasedAt, endedAt,
                status.isEnded() ? status.wireName() : null, ackedStreams, heartbeatCount, updatedAt);
    }
}
