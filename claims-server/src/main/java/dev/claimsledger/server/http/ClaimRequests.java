package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.core.ClaimCommandValidation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/**
 * The bodies the HTTP API takes. Numbers are boxed so that a missing field is told apart from a zero.
 */
final class ClaimRequests {

    /**
     * An id that can name a new claim, as a JSON Schema pattern: no control characters and no backslash, and not
     * {@code .} or {@code ..} (see {@link ClaimCommandValidation}).
     */
    static final String ADDRESSABLE_ID = "^(?!\\.\\.?$)[^\\\\\\x00-\\x1F\\x7F-\\x9F]+$";

    private ClaimRequests() {
    }

    @Schema(name = "ClaimRequest", requiredProperties = {"consumer_id", "epoch", "entity_url", "stream_path",
            "lease_ttl_ms"})
    record Materialize(@Schema(description = "1 to 512 characters and at most 512 bytes in UTF-8, not blank, no "
                               + "control characters; not `.` or `..` and no backslash", maxLength = ClaimCommandValidation.MAX_ID_LENGTH,
                               pattern = ADDRESSABLE_ID) @JsonProperty("consumer_id") String consumerId,
                       @Schema(minimum = "0", description = "The fencing token: only grows")
                       @JsonProperty("epoch") Long epoch,
                       @Schema(maxLength = ClaimCommandValidation.MAX_LOCATOR_LENGTH) @JsonProperty("entity_url") String entityUrl,
                       @Schema(maxLength = ClaimCommandValidation.MAX_LOCATOR_LENGTH) @JsonProperty("stream_path") String streamPath,
                       @Schema(nullable = true, maxLength = ClaimCommandValidation.MAX_ID_LENGTH) @JsonProperty("wake_id") String wakeId,
                       @Schema(nullable = true, maxLength = ClaimCommandValidation.MAX_ID_LENGTH, pattern = ADDRESSABLE_ID)
                       @JsonProperty("runner_id") String runnerId,
                       @Schema(description = "The lease's length: claims.lease.min-ttl to claims.lease.max-ttl (1 s "
                               + "to 10 min by default)") @JsonProperty("lease_ttl_ms") Long leaseTtlMs,
                       @Schema(nullable = true, allowableValues = {"fixed", "renew_on_heartbeat"},
                               description = "`renew_on_heartbeat` when absent")
                       @JsonProperty("lease_policy") String leasePolicy) {
    }

    @Schema(name = "HeartbeatRequest")
    record Heartbeat(@Schema(nullable = true, description = "The worker's own clock; recorded, never trusted")
                     @JsonProperty("reported_at") Instant reportedAt) {
    }

    @Schema(name = "HeartbeatBatchRequest", requiredProperties = "heartbeats")
    record HeartbeatBatch(@ArraySchema(minItems = 1, maxItems = ClaimsController.MAX_BATCHED_HEARTBEATS) @JsonProperty("heartbeats")
                          List<BatchedHeartbeat> heartbeats) {
    }

    @Schema(name = "BatchedHeartbeat", requiredProperties = {"consumer_id", "epoch"})
    record BatchedHeartbeat(@Schema(maxLength = ClaimCommandValidation.MAX_ID_LENGTH) @JsonProperty("consumer_id") String consumerId,
                            @Schema(minimum = "0") @JsonProperty("epoch") Long epoch,
                            @Schema(nullable = true) @JsonProperty("reported_at") Instant reportedAt) {
    }

    @Schema(name = "ReleaseRequest")
    record Release(@ArraySchema(arraySchema = @Schema(nullable = true), maxItems = ClaimCommandValidation.MAX_ACKED_STREAMS) @JsonProperty("acked_streams")
                   List<ClaimJson.AckedStreamJson> ackedStreams) {
    }
}
