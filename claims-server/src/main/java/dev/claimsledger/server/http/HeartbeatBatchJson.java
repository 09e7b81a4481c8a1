package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.core.ClaimRejectedException;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** The answer to a batch of heartbeats: one result per heartbeat, in the request's order. */
@Schema(name = "HeartbeatBatchResults")
record HeartbeatBatchJson(@JsonProperty("results") List<Result> results) {

    /**
     * One heartbeat's result: {@code status} is what the single-heartbeat endpoint would have answered, with the claim
     * after the heartbeat (2xx) or the error's stable code and detail.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "HeartbeatResult", requiredProperties = {"consumer_id", "epoch", "status"},
            description = "`claim` when the heartbeat was recorded (status 200), `error` when it was rejected")
    record Result(@JsonProperty("consumer_id") String consumerId,
                  @JsonProperty("epoch") long epoch,
                  @Schema(description = "The HTTP status the single heartbeat would have had: 200, 404 or 409")
                  @JsonProperty("status") int status,
                  @JsonProperty("claim") ClaimJson claim,
                  @JsonProperty("error") Error error) {

        static Result of(RecordHeartbeat heartbeat, LedgerGateway.BatchOutcome outcome, Instant now) {
            ClaimRejectedException rejection = outcome.rejection();
            if (rejection == null) {
                return new Result(heartbeat.consumerId(), heartbeat.epoch(), 200, ClaimJson.of(outcome.claim(), now),
                        null);
            }
            return new Result(heartbeat.consumerId(), heartbeat.epoch(),
                    ProblemResponses.statusOf(rejection.code()).value(), null,
                    new Error(rejection.code().code(), rejection.getMessage()));
        }
    }

    @Schema(name = "HeartbeatError")
    record Error(@Schema(allowableValues = {"claim_not_found", "stale_epoch", "claim_not_active", "claim_expired",
                         "conflict"}) @JsonProperty("code") String code,
                 @JsonProperty("detail") String detail) {
    }
}
