package dev.claimsledger.core;

/**
 * The payload of the lease watchdog deadline: the epoch whose lease it guards. Stored in the scheduler's table, so
 * its name and shape are part of the persistent format.
 */
public record LeaseExpiryDue(long epoch) {

    /** The deadline's name. */
    public static final String DEADLINE = "claim-lease-expiry";
}
