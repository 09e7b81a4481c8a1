package dev.claimsledger.client;

import java.time.Instant;
import java.util.Objects;

/**
 * A claim this client held and lost: which one, why, and when the client decided it ({@code at}, this machine's clock).
 * {@code detail} says more, in words: the ledger's own message for a rejection, or the client's account of the time.
 */
public record ClaimLoss(String tenant, String consumerId, long epoch, LossReason reason, String detail, Instant at) {

    public ClaimLoss {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(consumerId, "consumerId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(at, "at");
    }
}
