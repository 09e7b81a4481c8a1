package dev.claimsledger.core;

import dev.claimsledger.api.ClaimError;
import dev.claimsledger.api.ClaimErrorCode;

/**
 * A command the ledger refuses. It carries a stable {@link ClaimErrorCode}; no event is appended.
 */
public class ClaimRejectedException extends RuntimeException {

    private final ClaimErrorCode code;

    public ClaimRejectedException(ClaimErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ClaimErrorCode code() {
        return code;
    }

    public ClaimError toError() {
        return new ClaimError(code, getMessage());
    }
}
