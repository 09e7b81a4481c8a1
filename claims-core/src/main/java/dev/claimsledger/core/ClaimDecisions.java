package dev.claimsledger.core;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.HeartbeatReceived;
import java.time.Instant;

/**
 * The decisions a consumer's stream takes on its current term, as pure functions: the {@link Claim} aggregate takes
 * them for commands on the bus, and the {@link LeaseWriter} for heartbeats and expiries it commits in groups, so that
 * both decide exactly alike. Each checks the rules in the order README states them, and the rejections are built by
 * the named helpers below.
 */
final class ClaimDecisions {

    private ClaimDecisions() {
    }

    /**
     * The heartbeat of {@code epoch} at ledger time {@code now}: the current epoch, still active, its lease not run out;
     * the lease after it as the policy says.
     *
     * @param current the consumer's current term, or null when it never claimed
     */
    static HeartbeatReceived heartbeat(String tenantId, String consumerId, ClaimTerm current, long epoch,
                                       Instant reportedAt, Instant now) {
        requireCurrentEpoch(consumerId, current, epoch);
        if (!current.isActive()) {
            throw notActive(current);
        }
        if (current.lease().hasLapsedAt(now)) {
            throw leaseRanOut(current);
        }
        Lease renewed = current.lease().afterHeartbeat(now);
        return new HeartbeatReceived(tenantId, consumerId, current.epoch(), now, reportedAt, renewed.expiresAt());
    }

    /** What the lease watchdog of an epoch does when it comes due. */
    sealed interface Watchdog {

        /** The epoch is no longer the current active one: its watchdog has nothing left to guard. */
        record Retire() implements Watchdog {
        }

        /** The lease was renewed since the watchdog was armed: it follows the lease to its new end. */
        record Follow(Instant leaseEnd) implements Watchdog {
        }

        /** The lease has run out: the epoch ends in an expiry. */
        record Expire(ClaimLeaseExpired event) implements Watchdog {
        }
    }

    /**
     * The lease watchdog of {@code epoch}, due at ledger time {@code now}: never an expiry before the lease's end, at
     * most one per epoch (an ended epoch retires its watchdog).
     *
     * @param current the consumer's current term, or null when it never claimed
     */
    static Watchdog watchdog(String tenantId, String consumerId, ClaimTerm current, long epoch, Instant now) {
        return current == null ? new Watchdog.Retire() : watchdog(tenantId, consumerId, current.epoch(),
                current.isActive(), current.lease().expiresAt(), epoch, now);
    }

    /**
     * {@link #watchdog(String, String, ClaimTerm, long, Instant)} on the facts it needs of the current term (all of
     * which the stream's last event states): its epoch, whether it is active, and its lease's end.
     */
    static Watchdog watchdog(String tenantId, String consumerId, long currentEpoch, boolean active, Instant leaseEnd,
                             long epoch, Instant now) {
        if (currentEpoch != epoch || !active) {
            return new Watchdog.Retire();
        }
        if (now.isBefore(leaseEnd)) {
            return new Watchdog.Follow(leaseEnd);
        }
        return new Watchdog.Expire(new ClaimLeaseExpired(tenantId, consumerId, epoch, now, leaseEnd));
    }

    /** A heartbeat or release must name the current epoch: a later one was never claimed, an earlier one is stale. */
    static void requireCurrentEpoch(String consumerId, ClaimTerm current, long epoch) {
        if (current == null || epoch > current.epoch()) {
            throw new ClaimRejectedException(ClaimErrorCode.CLAIM_NOT_FOUND,
                    "no claim of epoch " + epoch + " for consumer " + consumerId);
        }
        if (epoch < current.epoch()) {
            throw staleEpoch(current, epoch);
        }
    }

    static ClaimRejectedException staleEpoch(ClaimTerm current, long epoch) {
        return new ClaimRejectedException(ClaimErrorCode.STALE_EPOCH,
                "epoch " + epoch + " is older than the current epoch " + current.epoch());
    }

    static ClaimRejectedException notActive(ClaimTerm current) {
        return new ClaimRejectedException(ClaimErrorCode.CLAIM_NOT_ACTIVE,
                "epoch " + current.epoch() + " has ended (" + current.status().wireName() + ")");
    }

    static ClaimRejectedException leaseRanOut(ClaimTerm current) {
        return new ClaimRejectedException(ClaimErrorCode.CLAIM_EXPIRED,
                "the lease of epoch " + current.epoch() + " ran out at " + current.lease().expiresAt());
    }
}
