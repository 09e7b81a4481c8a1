package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * The bodies the HTTP API takes. Numbers are boxed so that a missing field is told apart from a zero.
 */
final class ClaimRequests {

    private ClaimRequests() {
    }

    record Materialize(@JsonProperty("consumer_id") String consumerId,
                       @JsonProperty("epoch") Long epoch,
                       @JsonProperty("entity_url") String entityUrl,
                       @JsonProperty("stream_path") String streamPath,
                       @JsonProperty("wake_id") String wakeId,
                       @JsonProperty("runner_id") String runnerId,
                       @JsonProperty("lease_ttl_ms") Long leaseTtlMs,
                       @JsonProperty("lease_policy") String leasePolicy) {
    }

    record Heartbeat(@JsonProperty("reported_at") Instant reportedAt) {
    }

    record HeartbeatBatch(@JsonProperty("heartbeats") List<BatchedHeartbeat> heartbeats) {
    }

    record BatchedHeartbeat(@JsonProperty("consumer_id") String consumerId,
                            @JsonProperty("epoch") Long epoch,
                            @JsonProperty("reported_at") Instant reportedAt) {
    }

    record Release(@JsonProperty("acked_streams") List<ClaimJson.AckedStreamJson> ackedStreams) {
    }
}
