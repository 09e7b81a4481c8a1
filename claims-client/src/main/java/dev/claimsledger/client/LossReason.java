package dev.claimsledger.client;

/** Why a {@link HeldClaim} was lost. Each claim is lost at most once, for one of these reasons. */
public enum LossReason {
    /** The ledger answered {@code stale_epoch}: a higher epoch of the same consumer was claimed, by another worker. */
    STALE_EPOCH,
    /**
     * The ledger answered {@code claim_not_active} (the claim was released or expired meanwhile, for example by an
     * operator or another process with the same epoch) or {@code claim_not_found} (the ledger holds no such claim any
     * more, as after a restore of its database from a backup older than the claim): either way it is not active.
     */
    NOT_ACTIVE,
    /**
     * The lease ran out: the ledger answered {@code claim_expired}, or the planned end of a
     * {@link LeasePolicy#FIXED fixed} lease came.
     */
    EXPIRED,
    /**
     * No heartbeat was acknowledged in time: the client gave the claim up at the send time of its last acknowledged
     * heartbeat plus the TTL, minus the safety margin, before the ledger could expire it. The ledger may have been
     * unreachable, or this process stalled (a long GC pause) past that point.
     */
    NO_ACK_WITHIN_LEASE
}
