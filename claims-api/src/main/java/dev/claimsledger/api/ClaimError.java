package dev.claimsledger.api;

/**
 * The details of a rejected command, as they cross the command bus (the details of a
 * {@code CommandExecutionException}), so that callers on another node still get the code.
 */
public record ClaimError(ClaimErrorCode code, String message) {
}
