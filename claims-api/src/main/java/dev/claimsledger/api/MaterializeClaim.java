package dev.claimsledger.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Make (or idempotently repeat) the claim of {@code epoch} for one consumer, with a lease of {@code leaseTtlMs}.
 *
 * @param wakeId      optional
 * @param runnerId    optional
 * @param leasePolicy optional; {@link LeasePolicy#DEFAULT} when absent
 */
public record MaterializeClaim(String tenantId, String consumerId, long epoch, String entityUrl, String streamPath,
                               String wakeId, String runnerId, long leaseTtlMs, LeasePolicy leasePolicy) {

    @TargetAggregateIdentifier
    public String streamId() {
        return ConsumerRef.streamId(tenantId, consumerId);
    }
}
