package dev.claimsledger.merkle;

/**
 * The stored log and the stored events disagree: an event a leaf was made from is missing or no longer hashes to
 * that leaf. Nothing the caller asked for is wrong; the ledger is. {@code verify} says where.
 */
public class LogIntegrityException extends RuntimeException {

    public LogIntegrityException(String message) {
        super(message);
    }
}
