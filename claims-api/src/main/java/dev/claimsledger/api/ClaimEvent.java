package dev.claimsledger.api;

import java.time.Instant;

/**
 * What every claim event states: whose claim, which epoch, and the lease as it stands after the event.
 */
public sealed interface ClaimEvent
        permits ClaimMaterialized, HeartbeatReceived, ClaimReleased, ClaimLeaseExpired, ClaimSuperseded,
        HeartbeatsCompacted {

    String tenantId();

    String consumerId();

    long epoch();

    Instant leaseExpiresAt();
}
