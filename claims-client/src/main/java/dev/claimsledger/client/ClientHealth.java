package dev.claimsledger.client;

import java.time.Instant;

/**
 * What a {@link ClaimsClient}'s renewer has been doing, for a worker's own health check or metrics.
 *
 * @param claimsHeld            claims in the renewal set now
 * @param lastSuccessfulRenewal when a heartbeat was last acknowledged (this machine's clock), null before the first
 * @param renewalFailures       heartbeat requests that failed as a whole (no answer in time, a refused connection,
 *                              503 or any answer other than the batch's results), and single heartbeats the ledger
 *                              refused for a reason that does not end the claim; each is retried while the lease
 *                              can still be saved
 * @param claimsLost            claims lost so far, whatever the reason
 * @param unexpectedErrors      errors the renewer did not expect (a bug, or an answer it could not read); each is
 *                              logged and the renewer goes on
 * @param renewerLastRan        when the renewer last looked for due claims; more than a second ago means it is stalled
 * @param heartbeatRequests     heartbeat batch requests sent
 * @param heartbeatsSent        heartbeats sent in them
 */
public record ClientHealth(int claimsHeld, Instant lastSuccessfulRenewal, long renewalFailures, long claimsLost,
                           long unexpectedErrors, Instant renewerLastRan, long heartbeatRequests,
                           long heartbeatsSent) {
}
