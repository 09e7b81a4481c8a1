package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.LeasePolicy;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A claim as HTTP callers see it. {@code lease_remaining_ms} is computed when the response is made and is 0 once the
 * lease has passed, even if the expiry event is still on its way, so no reader sees a lease alive after its end.
 */
@Schema(name = "Claim", description = "A claim of one epoch of a consumer, and its lease")
record ClaimJson(@JsonProperty("tenant_id") String tenantId,
                 @JsonProperty("consumer_id") String consumerId,
                 @JsonProperty("epoch") long epoch,
                 @Schema(nullable = true) @JsonProperty("wake_id") String wakeId,
                 @JsonProperty("entity_url") String entityUrl,
                 @JsonProperty("stream_path") String streamPath,
                 @Schema(nullable = true) @JsonProperty("runner_id") String runnerId,
                 @JsonProperty("status") ClaimStatus status,
                 @JsonProperty("claimed_at") Instant claimedAt,
                 @Schema(nullable = true, description = "Null until the first heartbeat")
                 @JsonProperty("last_heartbeat_at") Instant lastHeartbeatAt,
                 @JsonProperty("lease_expires_at") Instant leaseExpiresAt,
                 @JsonProperty("lease_ttl_ms") long leaseTtlMs,
                 @JsonProperty("lease_policy") LeasePolicy leasePolicy,
                 @Schema(description = "Computed when the answer is made; 0 once the lease has passed or the claim "
                         + "ended") @JsonProperty("lease_remaining_ms") long leaseRemainingMs,
                 @Schema(nullable = true) @JsonProperty("released_at") Instant releasedAt,
                 @Schema(nullable = true, description = "When the claim was released, expired or superseded")
                 @JsonProperty("ended_at") Instant endedAt,
                 @Schema(nullable = true, allowableValues = {"released", "expired", "superseded"},
                         description = "Why the claim ended; null while it is active")
                 @JsonProperty("end_reason") String endReason,
                 @JsonProperty("acked_streams") List<AckedStreamJson> ackedStreams,
                 @JsonProperty("heartbeat_count") long heartbeatCount,
                 @JsonProperty("updated_at") Instant updatedAt) {

    static ClaimJson of(ClaimState claim, Instant now) {
        long remaining = claim.status() == ClaimStatus.ACTIVE
                ? Math.max(0, Duration.between(now, claim.leaseExpiresAt()).toMillis())
                : 0;
        return new ClaimJson(claim.tenantId(), claim.consumerId(), claim.epoch(), claim.wakeId(), claim.entityUrl(),
                claim.streamPath(), claim.runnerId(), claim.status(), claim.claimedAt(), claim.lastHeartbeatAt(),
                claim.leaseExpiresAt(), claim.leaseTtlMs(), claim.leasePolicy(), remaining, claim.releasedAt(),
                claim.endedAt(), claim.endReason(), claim.ackedStreams().stream().map(AckedStreamJson::of).toList(),
                claim.heartbeatCount(), claim.updatedAt());
    }

    @Schema(name = "AckedStream", description = "A stream position the worker reached; the offset is opaque")
    record AckedStreamJson(@JsonProperty("path") String path, @JsonProperty("offset") String offset) {

        static AckedStreamJson of(AckedStream acked) {
            return new AckedStreamJson(acked.path(), acked.offset());
        }

        AckedStream toAckedStream() {
            return new AckedStream(path, offset);
        }
    }
}
