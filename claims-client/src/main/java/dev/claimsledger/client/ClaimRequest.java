package dev.claimsledger.client;

import java.time.Duration;
import java.util.Objects;

/**
 * What to claim: a consumer's epoch of work on an entity, with its lease. Made with
 * {@link #builder(String, long, String, String)}. The ledger checks the rest (lengths, the TTL's range) and answers
 * {@code validation_failed} for what it does not take.
 *
 * @param leaseTtl    the lease's TTL, or null for the client's {@link ClaimsClient.Builder#defaultLeaseTtl default}
 * @param wakeId      optional: what woke the worker up, recorded with the claim
 * @param runnerId    optional: the process holding the claim, for {@code GET .../runners/{runner_id}/health}
 * @param leasePolicy optional: null for the ledger's default, {@link LeasePolicy#RENEW_ON_HEARTBEAT}
 */
public record ClaimRequest(String consumerId, long epoch, String entityUrl, String streamPath, Duration leaseTtl,
                           String wakeId, String runnerId, LeasePolicy leasePolicy) {

    public ClaimRequest {
        requireText("consumerId", consumerId);
        requireText("entityUrl", entityUrl);
        requireText("streamPath", streamPath);
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, was " + epoch);
        }
        if (leaseTtl != null && (leaseTtl.isNegative() || leaseTtl.isZero())) {
            throw new IllegalArgumentException("leaseTtl must be positive, was " + leaseTtl);
        }
        if (wakeId != null) {
            requireText("wakeId", wakeId);
        }
        if (runnerId != null) {
            requireText("runnerId", runnerId);
        }
    }

    public static Builder builder(String consumerId, long epoch, String entityUrl, String streamPath) {
        return new Builder(consumerId, epoch, entityUrl, streamPath);
    }

    private static void requireText(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    /** Builds a {@link ClaimRequest}; only the four values of {@link ClaimRequest#builder} are required. */
    public static final class Builder {

        private final String consumerId;
        private final long epoch;
        private final String entityUrl;
        private final String streamPath;
        private Duration leaseTtl;
        private String wakeId;
        private String runnerId;
        private LeasePolicy leasePolicy;

        private Builder(String consumerId, long epoch, String entityUrl, String streamPath) {
            this.consumerId = consumerId;
            this.epoch = epoch;
            this.entityUrl = entityUrl;
            this.streamPath = streamPath;
        }

        /** The lease's TTL; the ledger takes 1 s to 10 min by default. Unset: the client's default lease TTL. */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = leaseTtl;
            return this;
        }

        public Builder wakeId(String wakeId) {
            this.wakeId = wakeId;
            return this;
        }

        public Builder runnerId(String runnerId) {
            this.runnerId = runnerId;
            return this;
        }

        public Builder leasePolicy(LeasePolicy leasePolicy) {
            this.leasePolicy = leasePolicy;
            return this;
        }

        public ClaimRequest build() {
            return new ClaimRequest(consumerId, epoch, entityUrl, streamPath, leaseTtl, wakeId, runnerId, leasePolicy);
        }
    }
}
