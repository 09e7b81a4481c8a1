package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.core.ClaimRejectedException;
import java.time.Instant;
import java.util.List;

/** The answer to a batch of heartbeats: one result per heartbeat, in the request's order. */
record HeartbeatBatchJson(@JsonProperty("results") List<Result> results) {

    /**
     * One heartbeat's result: {@code status} is what the single-heartbeat endpoint would have answered, with the claim
     * after the heartbeat (2xx) or the error's stable code and detail.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Result(@JsonProperty("consumer_id") String consumerId,
                  @JsonProperty("epoch") long epoch,
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

    record Error(@JsonProperty("code") String code, @JsonProperty("detail") String detail) {
    }
}
