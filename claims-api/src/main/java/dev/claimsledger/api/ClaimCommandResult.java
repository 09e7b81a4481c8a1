package dev.claimsledger.api;

/**
 * What a claim command answers: the claim after the command, and whether the command appended any event (false for
 * an idempotent repeat).
 */
public record ClaimCommandResult(ClaimState claim, boolean appended) {
}
