package dev.claimsledger.api;

import java.time.Instant;

/**
 * A run of heartbeats of one epoch, compacted: the {@code count} heartbeats from sequence number {@code firstSequence}
 * on were stored as events of their own, and are now kept together, in the stream at the place of the last of them.
 * {@code heartbeats} holds what cannot be derived from the rest (each one's global position, ledger time and reported
 * time, in the {@code format} README describes); from it, every one of them is given back exactly as it was stored:
 * payload, metadata, chain hash, identifier and timestamp. The lease after each is derived from {@code leaseBefore},
 * the lease's TTL and policy, as the aggregate derived it.
 *
 * <p>Once retention has dropped the run's detail, its {@code format} is {@code summary1} and {@code heartbeats} holds
 * the first heartbeat only: the run keeps its count, its first and last heartbeat, the lease before and after, and the
 * chain's anchors ({@code hashBefore}, and the hash after its last heartbeat in its metadata).
 *
 * @param leaseBefore    the lease's end before the first heartbeat of the run
 * @param hashBefore     the chain hash of the event before the first heartbeat of the run
 * @param lastReceivedAt the ledger time of the last heartbeat of the run
 * @param lastReportedAt the time the worker reported with the last heartbeat of the run, if any
 * @param leaseExpiresAt the lease's end after the last heartbeat of the run
 */
public record HeartbeatsCompacted(String tenantId, String consumerId, long epoch, long leaseTtlMs,
                                  LeasePolicy leasePolicy, long firstSequence, int count, Instant leaseBefore,
                                  String hashBefore, Instant lastReceivedAt, Instant lastReportedAt,
                                  Instant leaseExpiresAt, String format, byte[] heartbeats) implements ClaimEvent {
}
