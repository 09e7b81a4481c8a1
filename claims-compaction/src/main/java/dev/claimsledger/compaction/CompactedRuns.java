package dev.claimsledger.compaction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.core.CanonicalForm;
import dev.claimsledger.core.EventChain;
import dev.claimsledger.core.Lease;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives back the heartbeats of a compacted run exactly as they were stored: each one's row, with its position,
 * identifier, timestamp, payload bytes and metadata bytes (its chain hash recomputed from the one before it). Readers
 * of the history, {@code as_of}, the audit and the Merkle log read a compacted row through {@link #expand}, and so see
 * the same history as before compaction.
 */
public final class CompactedRuns {

    /** The stored type of a heartbeat and of a compacted run. */
    public static final String HEARTBEAT_TYPE = HeartbeatReceived.class.getName();
    public static final String RUN_TYPE = HeartbeatsCompacted.class.getName();

    private final ObjectMapper stored;

    /** @param stored the mapper the event store serializes with, so that the bytes given back are the bytes stored */
    public CompactedRuns(ObjectMapper stored) {
        this.stored = stored;
    }

    /** Whether a stored row is a compacted run. */
    public static boolean isRun(String payloadType) {
        return RUN_TYPE.equals(payloadType);
    }

    /**
     * Whether a compacted run is a summary left by retention: its heartbeats' detail was dropped, and it keeps only the
     * count, the first and last heartbeat, the lease before and after and the chain's anchors.
     */
    public static boolean isSummary(HeartbeatsCompacted run) {
        return HeartbeatSegment.SUMMARY_FORMAT.equals(run.format());
    }

    /** The first heartbeat of a run: decoded from its segment, which a summary keeps for that alone. */
    public static HeartbeatSegment.Heartbeat first(HeartbeatsCompacted run) {
        return HeartbeatSegment.decode(run.heartbeats()).get(0);
    }

    /** The run a compacted row holds. */
    public HeartbeatsCompacted run(StoredRow row) {
        try {
            return stored.readValue(row.payload(), HeartbeatsCompacted.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("the compacted run at position " + row.position() + " cannot be read",
                    e);
        }
    }

    /**
     * The rows of the heartbeats the compacted {@code row} holds, in sequence order. Every column is derived, but the
     * metadata of the last heartbeat, which is the compacted row's own as stored: it holds the chain hash the run ended
     * with when it was compacted, so a run changed since then breaks the chain at its last heartbeat, where an audit
     * that recomputes the hashes finds it.
     *
     * @throws IllegalArgumentException when the row is not a well-formed compacted run
     */
    public List<StoredRow> expand(StoredRow row) {
        HeartbeatsCompacted run = run(row);
        if (!HeartbeatSegment.FORMAT.equals(run.format())) {
            throw new IllegalArgumentException("compacted run at position " + row.position() + " has the unknown format "
                    + run.format());
        }
        List<HeartbeatSegment.Heartbeat> heartbeats = HeartbeatSegment.decode(run.heartbeats());
        if (heartbeats.size() != run.count() || run.firstSequence() + run.count() - 1 != row.sequence()) {
            throw new IllegalArgumentException("compacted run at position " + row.position() + " holds "
                    + heartbeats.size() + " heartbeats, but says " + run.count() + " from sequence "
                    + run.firstSequence() + " to " + row.sequence());
        }
        List<StoredRow> rows = new ArrayList<>(heartbeats.size());
        Lease lease = new Lease(run.leaseBefore(), Duration.ofMillis(run.leaseTtlMs()), run.leasePolicy());
        String hash = run.hashBefore();
        for (int i = 0; i < heartbeats.size(); i++) {
            HeartbeatSegment.Heartbeat heartbeat = heartbeats.get(i);
            long sequence = run.firstSequence() + i;
            lease = lease.afterHeartbeat(heartbeat.receivedAt());
            HeartbeatReceived event = new HeartbeatReceived(run.tenantId(), run.consumerId(), run.epoch(),
                    heartbeat.receivedAt(), heartbeat.reportedAt(), lease.expiresAt());
            byte[] payload = bytes(event);
            hash = EventChain.hash(row.streamId(), sequence, HEARTBEAT_TYPE, payload, hash);
            boolean last = i == heartbeats.size() - 1;
            rows.add(new StoredRow(heartbeat.position(), CanonicalForm.eventIdentifier(row.streamId(), sequence),
                    row.streamId(), sequence, row.aggregateType(), CanonicalForm.timestamp(heartbeat.receivedAt()),
                    HEARTBEAT_TYPE, payload, last ? row.metaData() : CanonicalForm.metaDataColumn(hash)));
        }
        return rows;
    }

    /**
     * The first and last heartbeats of a summary left by retention, exactly as they were stored: both can be derived
     * from what it keeps (the first from the lease and chain hash before it, the last from its own facts and stored
     * metadata). A summary of one heartbeat gives back that one.
     *
     * @throws IllegalArgumentException when the row is not a well-formed summary
     */
    public List<StoredRow> ends(StoredRow row) {
        HeartbeatsCompacted summary = run(row);
        if (!isSummary(summary) || summary.count() < 1
                || summary.firstSequence() + summary.count() - 1 != row.sequence()) {
            throw new IllegalArgumentException("the row at position " + row.position() + " is not a summary");
        }
        HeartbeatSegment.Heartbeat first = first(summary);
        StoredRow last = new StoredRow(row.position(), CanonicalForm.eventIdentifier(row.streamId(), row.sequence()),
                row.streamId(), row.sequence(), row.aggregateType(),
                CanonicalForm.timestamp(summary.lastReceivedAt()), HEARTBEAT_TYPE,
                bytes(new HeartbeatReceived(summary.tenantId(), summary.consumerId(), summary.epoch(),
                        summary.lastReceivedAt(), summary.lastReportedAt(), summary.leaseExpiresAt())),
                row.metaData());
        if (summary.count() == 1) {
            return List.of(last);
        }
        Lease lease = new Lease(summary.leaseBefore(), Duration.ofMillis(summary.leaseTtlMs()), summary.leasePolicy())
                .afterHeartbeat(first.receivedAt());
        byte[] payload = bytes(new HeartbeatReceived(summary.tenantId(), summary.consumerId(), summary.epoch(),
                first.receivedAt(), first.reportedAt(), lease.expiresAt()));
        String hash = EventChain.hash(row.streamId(), summary.firstSequence(), HEARTBEAT_TYPE, payload,
                summary.hashBefore());
        return List.of(new StoredRow(first.position(),
                CanonicalForm.eventIdentifier(row.streamId(), summary.firstSequence()), row.streamId(),
                summary.firstSequence(), row.aggregateType(), CanonicalForm.timestamp(first.receivedAt()),
                HEARTBEAT_TYPE, payload, CanonicalForm.metaDataColumn(hash)), last);
    }

    /**
     * The heartbeats of {@code row} when it is a readable compacted run; otherwise {@code row} itself, alone. A run
     * altered beyond reading stays the row it is, so that readers still meet it and its chain hash cannot match.
     */
    public List<StoredRow> expandOrKeep(StoredRow row) {
        if (!isRun(row.payloadType())) {
            return List.of(row);
        }
        try {
            return expand(row);
        } catch (IllegalArgumentException unreadable) {
            return List.of(row);
        }
    }

    /**
     * Whether the heartbeats of the compacted run {@code row} chain to the hash its row stores, as an audit would
     * recompute it: false for a run that cannot be read.
     */
    public boolean chained(StoredRow row) {
        List<StoredRow> heartbeats;
        try {
            heartbeats = expand(row);
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
        StoredRow last = heartbeats.get(heartbeats.size() - 1);
        String before = heartbeats.size() == 1 ? run(row).hashBefore()
                : recordedHash(heartbeats.get(heartbeats.size() - 2));
        String recorded = recordedHash(last);
        return recorded != null && recorded.equals(EventChain.hash(row.streamId(), last.sequence(),
                last.payloadType(), last.payload(), before));
    }

    /** The chain hash a row's metadata records, or null. */
    public String recordedHash(StoredRow row) {
        if (row.metaData() == null) {
            return null;
        }
        try {
            JsonNode hash = stored.readTree(row.metaData()).get(EventChain.HASH_KEY);
            return hash == null ? null : hash.asText();
        } catch (IOException e) {
            return null;
        }
    }

    /** The bytes the event store writes for {@code value}: the payload or metadata column. */
    byte[] bytes(Object value) {
        try {
            return stored.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value, e);
        }
    }
}
