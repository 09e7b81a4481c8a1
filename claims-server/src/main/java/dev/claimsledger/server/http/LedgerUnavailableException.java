package dev.claimsledger.server.http;

/**
 * The ledger could not answer in time; the caller may retry.
 */
class LedgerUnavailableException extends RuntimeException {

    LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
