package dev.claimsledger.core;

import dev.claimsledger.api.LeasePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The lease of an active claim. It always has an end, and no operation on it moves that end earlier: this record is
 * where the invariant the upstream service lost ({@code lease_expires_at = null} on heartbeat) is kept.
 */
public record Lease(Instant expiresAt, Duration ttl, LeasePolicy policy) {

    public Lease {
        Objects.requireNonNull(expiresAt, "a lease always has an end");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(policy, "policy");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a lease's ttl must be positive, was " + ttl);
        }
    }

    public static Lease grant(Instant now, Duration ttl, LeasePolicy policy) {
        Objects.requireNonNull(now, "now");
        return new Lease(now.plus(ttl), ttl, policy);
    }

    /**
     * The lease after a heartbeat at ledger time {@code now}: unchanged under {@link LeasePolicy#FIXED}, otherwise
     * {@code now + ttl} unless the lease already ends later.
     */
    public Lease afterHeartbeat(Instant now) {
        if (policy == LeasePolicy.FIXED) {
            return this;
        }
        return extendedTo(now.plus(ttl));
    }

    /** This lease ending at {@code candidate}, or at its current end if that is later. Never earlier. */
    public Lease extendedTo(Instant candidate) {
        Objects.requireNonNull(candidate, "a lease cannot be cleared");
        return candidate.isAfter(expiresAt) ? new Lease(candidate, ttl, policy) : this;
    }

    /**
     * The lease as a recorded event states it. A recorded end earlier than the current one means the history breaks
     * the invariant, and loading it must fail loudly rather than shorten the lease.
     */
    public Lease recordedAs(Instant recordedExpiresAt) {
        Objects.requireNonNull(recordedExpiresAt, "a recorded lease cannot be cleared");
        if (recordedExpiresAt.isBefore(expiresAt)) {
            throw new IllegalStateException("recorded lease end " + recordedExpiresAt + " is before " + expiresAt);
        }
        return extendedTo(recordedExpiresAt);
    }

    /** Whether the lease has run out at {@code now}: its end is not after now. */
    public boolean hasLapsedAt(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
