package dev.claimsledger.api;

/**
 * A stream position the worker acknowledges when it releases its claim. The offset is opaque to the ledger.
 */
public record AckedStream(String path, String offset) {
}
