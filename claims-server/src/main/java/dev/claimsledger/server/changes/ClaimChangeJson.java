package dev.claimsledger.server.changes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimSuperseded;
import java.time.Instant;

/**
 * One change of a claim's state, as the {@code data} of a server-sent event; the event's {@code id} is the same
 * {@code position}. The fields a kind of change does not have are null.
 *
 * @param position          the event's global position in the event store
 * @param type              {@code claimed}, {@code released}, {@code expired} or {@code superseded}
 * @param at                the ledger's time of the change
 * @param runnerId          who holds the claim ({@code claimed} only)
 * @param entityUrl         the claimed entity ({@code claimed} only)
 * @param leaseTtlMs        the lease's TTL ({@code claimed} only)
 * @param supersededByEpoch the epoch that ended this one ({@code superseded} only)
 */
record ClaimChangeJson(@JsonProperty("position") long position,
                       @JsonProperty("type") String type,
                       @JsonProperty("tenant_id") String tenantId,
                       @JsonProperty("consumer_id") String consumerId,
                       @JsonProperty("epoch") long epoch,
                       @JsonProperty("at") Instant at,
                       @JsonProperty("lease_expires_at") Instant leaseExpiresAt,
                       @JsonProperty("runner_id") String runnerId,
                       @JsonProperty("entity_url") String entityUrl,
                       @JsonProperty("lease_ttl_ms") Long leaseTtlMs,
                       @JsonProperty("superseded_by_epoch") Long supersededByEpoch) {

    /** The change an event makes, or null for a heartbeat, which changes no state. */
    static ClaimChangeJson of(long position, ClaimEvent event) {
        if (event instanceof ClaimMaterialized claimed) {
            return new ClaimChangeJson(position, "claimed", claimed.tenantId(), claimed.consumerId(), claimed.epoch(),
                    claimed.claimedAt(), claimed.leaseExpiresAt(), claimed.runnerId(), claimed.entityUrl(),
                    claimed.leaseTtlMs(), null);
        }
        if (event instanceof ClaimReleased released) {
            return ended(position, "released", released, released.releasedAt(), null);
        }
        if (event instanceof ClaimLeaseExpired expired) {
            return ended(position, "expired", expired, expired.expiredAt(), null);
        }
        if (event instanceof ClaimSuperseded superseded) {
            return ended(position, "superseded", superseded, superseded.supersededAt(),
                    superseded.supersededByEpoch());
        }
        return null;
    }

    private static ClaimChangeJson ended(long position, String type, ClaimEvent event, Instant at, Long byEpoch) {
        return new ClaimChangeJson(position, type, event.tenantId(), event.consumerId(), event.epoch(), at,
                event.leaseExpiresAt(), null, null, null, byEpoch);
    }
}
