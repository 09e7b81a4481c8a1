/**
 * The {@code consumer_claims} read model, built from the claim events, and the query handlers that read it.
 */
package dev.claimsledger.projection;
