package dev.claimsledger.core;

import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import java.util.function.IntConsumer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;

/**
 * What a consumer's stream decides from, as the {@link LeaseWriter} keeps it: its current term and the head of its
 * chain (the last event's sequence number and hash). Folded with the same {@link ClaimTerm} transitions as the
 * {@link Claim} aggregate's event-sourcing handlers.
 */
record StreamHead(String streamId, String tenantId, String consumerId, ClaimTerm current, ChainHead chain) {

    static StreamHead empty(String streamId) {
        return new StreamHead(streamId, null, null, null, ChainHead.EMPTY);
    }

    /**
     * The stream as stored: its latest snapshot, if any, and the events after it.
     *
     * @param eventsRead told how many events were read after the snapshot
     */
    static StreamHead fold(String streamId, DomainEventStream stored, IntConsumer eventsRead) {
        StreamHead head = empty(streamId);
        int events = 0;
        while (stored.hasNext()) {
            DomainEventMessage<?> message = stored.next();
            if (message.getPayload() instanceof Claim snapshot) {
                head = snapshot.head();
                events = 0;
            } else {
                head = head.after(message.getPayload(), message.getSequenceNumber(),
                        (String) message.getMetaData().get(EventChain.HASH_KEY));
                events++;
            }
        }
        eventsRead.accept(events);
        return head;
    }

    /** The head after {@code event}, stored at {@code sequence} with chain hash {@code hash}. */
    StreamHead after(Object event, long sequence, String hash) {
        ChainHead chained = new ChainHead(sequence, hash);
        if (event instanceof ClaimMaterialized claimed) {
            return new StreamHead(streamId, claimed.tenantId(), claimed.consumerId(), ClaimTerm.materialized(claimed),
                    chained);
        }
        ClaimTerm next;
        if (event instanceof HeartbeatReceived heartbeat) {
            next = current.heartbeat(heartbeat.receivedAt(), heartbeat.leaseExpiresAt());
        } else if (event instanceof HeartbeatsCompacted run) {
            next = current.heartbeats(Claim.newInRun(run, chain, sequence), run.lastReceivedAt(),
                    run.leaseExpiresAt());
        } else if (event instanceof ClaimReleased released) {
            next = current.released(released.releasedAt(), released.ackedStreams());
        } else if (event instanceof ClaimLeaseExpired expired) {
            next = current.ended(ClaimStatus.EXPIRED, expired.expiredAt());
        } else if (event instanceof ClaimSuperseded superseded) {
            next = current.ended(ClaimStatus.SUPERSEDED, superseded.supersededAt());
        } else {
            throw new IllegalStateException("stream " + streamId + " holds an event the ledger does not know: " + event);
        }
        return new StreamHead(streamId, tenantId, consumerId, next, chained);
    }
}
