package dev.claimsledger.api;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Stable codes of every rejection the ledger gives. Callers match on {@link #code()}, never on messages.
 */
public enum ClaimErrorCode {
    /** The command names an epoch older than the consumer's current one. */
    STALE_EPOCH("stale_epoch"),
    /** The claim has ended (released, expired or superseded) and takes no more heartbeats. */
    CLAIM_NOT_ACTIVE("claim_not_active"),
    /** The claim's lease has run out; it cannot be heartbeated or released any more. */
    CLAIM_EXPIRED("claim_expired"),
    /** No claim exists for that consumer and epoch. */
    CLAIM_NOT_FOUND("claim_not_found"),
    /** The epoch exists with different data, or a concurrent change won. */
    CONFLICT("conflict"),
    /** The command itself is malformed: a missing field, an out-of-range value, an over-long id. */
    VALIDATION_FAILED("validation_failed"),
    /** No API key, or one the service does not know. */
    UNAUTHENTICATED("unauthenticated"),
    /** The API key lacks the scope, or the tenant, that the request needs. */
    FORBIDDEN("forbidden"),
    /** The request body is over the size limit. */
    PAYLOAD_TOO_LARGE("payload_too_large"),
    /** A resource other than a claim (such as a projection rebuild) does not exist. */
    NOT_FOUND("not_found"),
    /** The request itself is not one the service takes: an unknown path, method or media type. */
    UNSUPPORTED_REQUEST("unsupported_request"),
    /** The instant asked for lies among heartbeats whose detail retention dropped: the ledger keeps only their summary. */
    HISTORY_NOT_RETAINED("history_not_retained"),
    /** The ledger cannot answer right now (storage unreachable, time-out); the request may be retried. */
    UNAVAILABLE("unavailable"),
    /** Something failed inside the ledger that no request should cause; it is logged. */
    INTERNAL_ERROR("internal_error");

    private final String code;

    ClaimErrorCode(String code) {
        this.code = code;
    }

    @JsonValue
    public String code() {
        return code;
    }
}
