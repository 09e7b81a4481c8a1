package dev.claimsledger.core;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.api.ReleaseClaim;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.annotation.MetaDataValue;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * All claims of one consumer, epoch after epoch, in one ordered stream. Command handlers decide and apply; the
 * event-sourcing handlers only remember. Time comes from the injected {@link Clock} only. Every event is chained to
 * the one before it by {@link EventChain}.
 *
 * <p>Commands reach it already shape-checked by {@link ClaimCommandInterceptor}.
 *
 * <p>Expiry is a watchdog deadline armed at the lease's end when the claim is made. Heartbeats do not touch it: when
 * it fires and the lease has been renewed meanwhile, it re-arms itself for the new end.
 */
@Aggregate(snapshotTriggerDefinition = CoreBeanNames.SNAPSHOT_TRIGGER, repository = CoreBeanNames.CLAIM_REPOSITORY)
class Claim {

    // Fields are annotated so that the snapshot serializer sees them; the snapshot round-trip test guards this.
    @AggregateIdentifier
    @JsonProperty
    private String streamId;
    @JsonProperty
    private String tenantId;
    @JsonProperty
    private String consumerId;
    @JsonProperty
    private ClaimTerm current;
    @JsonProperty
    private ChainHead chainHead = ChainHead.EMPTY;

    Claim() {
        // for Axon and for snapshot deserialization
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    ClaimCommandResult handle(MaterializeClaim command, Clock clock, DeadlineManager deadlines, EventChain chain) {
        if (current != null) {
            if (command.epoch() < current.epoch()) {
                throw ClaimDecisions.staleEpoch(current, command.epoch());
            }
            if (command.epoch() == current.epoch()) {
                if (current.sameTermsAs(command)) {
                    return result(false);
                }
                throw new ClaimRejectedException(ClaimErrorCode.CONFLICT,
                        "epoch " + command.epoch() + " was already claimed with different data");
            }
        }
        Instant now = clock.instant();
        if (current != null && current.isActive()) {
            deadlines.cancelAllWithinScope(LeaseExpiryDue.DEADLINE);
            if (current.lease().hasLapsedAt(now)) {
                // its watchdog has not fired yet, but the lease ran out before the new epoch came: that is an expiry
                record(chain, streamId, new ClaimLeaseExpired(tenantId, consumerId, current.epoch(), now,
                        current.lease().expiresAt()));
            } else {
                record(chain, streamId, new ClaimSuperseded(tenantId, consumerId, current.epoch(), command.epoch(), now,
                        current.lease().expiresAt()));
            }
        }
        Lease lease = Lease.grant(now, Duration.ofMillis(command.leaseTtlMs()), LeasePolicy.orDefault(command.leasePolicy()));
        record(chain, command.streamId(), new ClaimMaterialized(command.tenantId(), command.consumerId(),
                command.epoch(), command.entityUrl(), command.streamPath(), command.wakeId(), command.runnerId(),
                command.leaseTtlMs(), lease.policy(), now, lease.expiresAt()));
        deadlines.schedule(lease.expiresAt(), LeaseExpiryDue.DEADLINE, new LeaseExpiryDue(command.epoch()));
        return result(true);
    }

    @CommandHandler
    ClaimCommandResult handle(RecordHeartbeat command, Clock clock, EventChain chain) {
        record(chain, streamId, ClaimDecisions.heartbeat(command.tenantId(), command.consumerId(), current,
                command.epoch(), command.reportedAt(), clock.instant()));
        return result(true);
    }

    @CommandHandler
    ClaimCommandResult handle(ReleaseClaim command, Clock clock, DeadlineManager deadlines, EventChain chain) {
        ClaimDecisions.requireCurrentEpoch(command.consumerId(), current, command.epoch());
        if (current.status() == ClaimStatus.RELEASED) {
            return result(false);
        }
        Instant now = clock.instant();
        if (current.status() == ClaimStatus.EXPIRED || current.lease().hasLapsedAt(now)) {
            throw ClaimDecisions.leaseRanOut(current);
        }
        if (!current.isActive()) {
            throw ClaimDecisions.notActive(current);
        }
        record(chain, streamId, new ClaimReleased(tenantId, consumerId, current.epoch(), now, command.ackedStreams(),
                current.lease().expiresAt()));
        deadlines.cancelAllWithinScope(LeaseExpiryDue.DEADLINE);
        return result(true);
    }

    @DeadlineHandler(deadlineName = LeaseExpiryDue.DEADLINE)
    void on(LeaseExpiryDue due, Clock clock, DeadlineManager deadlines, EventChain chain) {
        ClaimDecisions.Watchdog decision = ClaimDecisions.watchdog(tenantId, consumerId, current, due.epoch(),
                clock.instant());
        if (decision instanceof ClaimDecisions.Watchdog.Follow follow) {
            deadlines.schedule(follow.leaseEnd(), LeaseExpiryDue.DEADLINE, due);
        } else if (decision instanceof ClaimDecisions.Watchdog.Expire expire) {
            record(chain, streamId, expire.event());
        }
    }

    @EventSourcingHandler
    void on(ClaimMaterialized event, @SequenceNumber long sequence, @MetaDataValue(EventChain.HASH_KEY) String hash) {
        chainHead = new ChainHead(sequence, hash);
        streamId = ConsumerRef.streamId(event.tenantId(), event.consumerId());
        tenantId = event.tenantId();
        consumerId = event.consumerId();
        current = ClaimTerm.materialized(event);
    }

    @EventSourcingHandler
    void on(HeartbeatReceived event, @SequenceNumber long sequence, @MetaDataValue(EventChain.HASH_KEY) String hash) {
        chainHead = new ChainHead(sequence, hash);
        current = current.heartbeat(event.receivedAt(), event.leaseExpiresAt());
    }

    /** A compacted run: its heartbeats up to the snapshot this aggregate was loaded from count already. */
    @EventSourcingHandler
    void on(HeartbeatsCompacted event, @SequenceNumber long sequence, @MetaDataValue(EventChain.HASH_KEY) String hash) {
        current = current.heartbeats(newInRun(event, chainHead, sequence), event.lastReceivedAt(),
                event.leaseExpiresAt());
        chainHead = new ChainHead(sequence, hash);
    }

    /** How many heartbeats of a compacted run stored at {@code sequence} come after {@code head}. */
    static long newInRun(HeartbeatsCompacted run, ChainHead head, long sequence) {
        return sequence - Math.max(head.sequence(), run.firstSequence() - 1);
    }

    @EventSourcingHandler
    void on(ClaimReleased event, @SequenceNumber long sequence, @MetaDataValue(EventChain.HASH_KEY) String hash) {
        chainHead = new ChainHead(sequence, hash);
        current = current.released(event.releasedAt(), event.ackedStreams());
    }

    @EventSourcingHandler
    void on(ClaimLeaseExpired event, @SequenceNumber long sequence, @MetaDataValue(EventChain.HASH_KEY) String hash) {
        chainHead = new ChainHead(sequence, hash);
        current = current.ended(ClaimStatus.EXPIRED, event.expiredAt());
    }

    @EventSourcingHandler
    void on(ClaimSuperseded event, @SequenceNumber long sequence, @MetaDataValue(EventChain.HASH_KEY) String hash) {
        chainHead = new ChainHead(sequence, hash);
        current = current.ended(ClaimStatus.SUPERSEDED, event.supersededAt());
    }

    /** This aggregate as a {@link StreamHead}: what a snapshot of it tells the {@link LeaseWriter}. */
    StreamHead head() {
        return new StreamHead(streamId, tenantId, consumerId, current, chainHead);
    }

    /** Applies an event with its chain hash, computed from the stream's previous one. */
    private void record(EventChain chain, String stream, Object event) {
        String hash = chain.hashOf(stream, chainHead.nextSequence(), event, chainHead.hash());
        apply(event, MetaData.with(EventChain.HASH_KEY, hash));
    }

    private ClaimCommandResult result(boolean appended) {
        return new ClaimCommandResult(current.toState(tenantId, consumerId), appended);
    }
}
