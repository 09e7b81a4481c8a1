/**
 * A tenant's claim state changes (claimed, released, expired, superseded) as server-sent events, read from the event
 * store by position: {@link dev.claimsledger.server.changes.ClaimChangeStreams}.
 */
package dev.claimsledger.server.changes;
