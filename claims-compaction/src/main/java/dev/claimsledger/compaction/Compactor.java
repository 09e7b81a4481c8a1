package dev.claimsledger.compaction;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.core.CanonicalForm;
import dev.claimsledger.core.EventChain;
import dev.claimsledger.core.Lease;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Compacts heartbeats older than the hot window: in each stream, every run of an epoch's heartbeats (and the compacted
 * run before them, if any) becomes one compacted row, a {@link HeartbeatsCompacted} event kept at the place of the last
 * heartbeat of the run, and the other rows leave the event table. A stream is compacted whole in one transaction (a
 * transaction takes several streams, about {@value #HEARTBEATS_PER_TRANSACTION} heartbeats by default), so a
 * compaction killed at any point leaves every stream either as it was or compacted, and running it again carries on
 * where it stopped.
 *
 * <p>Only heartbeats stored in the ledger's {@link CanonicalForm} are compacted, and only when every byte of their row
 * can be derived again: the payload, the metadata, the chain hash (so a broken chain is never compacted away), the
 * identifier and the timestamp. Heartbeats sent on Axon's bus carry correlation ids and stay rows of their own. Only
 * events every event processor has passed are compacted ({@code passedPositions}), so no processor ever meets a row that
 * changed under it; and heartbeats never wait for it, because it only rewrites rows older than the hot window.
 */
public final class Compactor {

    /** At most this many heartbeats go into one compacted row. */
    public static final int MAX_RUN = 4_096;
    private static final String CLAIMED_TYPE = ClaimMaterialized.class.getName();
    private static final int STREAMS_PER_QUERY = 500;
    private static final Logger log = LoggerFactory.getLogger(Compactor.class);
    /**
     * Streams are compacted together in one transaction until about this many heartbeats are: each commit waits for
     * the write-ahead log's flush, which the ledger's own commits share, and a transaction per stream of a few dozen
     * heartbeats made compaction cost more commits than compacting saved (BENCHMARKS.md).
     */
    public static final int HEARTBEATS_PER_TRANSACTION = 1_000;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ObjectMapper stored;
    private final CompactedRuns runs;
    private final Clock clock;
    private final int heartbeatsPerTransaction;

    public Compactor(DataSource dataSource, PlatformTransactionManager transactionManager, ObjectMapper stored,
                     Clock clock) {
        this(dataSource, transactionManager, stored, clock, HEARTBEATS_PER_TRANSACTION);
    }

    /**
     * @param heartbeatsPerTransaction streams join a transaction until it has compacted at least this many heartbeats;
     *                                 1 gives each stream a transaction of its own
     */
    public Compactor(DataSource dataSource, PlatformTransactionManager transactionManager, ObjectMapper stored,
                     Clock clock, int heartbeatsPerTransaction) {
        if (heartbeatsPerTransaction < 1) {
            throw new IllegalArgumentException("heartbeatsPerTransaction must be at least 1, was "
                    + heartbeatsPerTransaction);
        }
        this.jdbc = new JdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(transactionManager);
        this.stored = stored;
        this.runs = new CompactedRuns(stored);
        this.clock = clock;
        this.heartbeatsPerTransaction = heartbeatsPerTransaction;
    }

    /** What a pass did. */
    public record Result(long heartbeatsCompacted, long rowsRemoved, long bytesReclaimed) {
    }

    /** Told how far a pass has come: heartbeat rows looked at, out of those waiting when it started. */
    @FunctionalInterface
    public interface Progress {
        void at(long processed, long total);
    }

    /**
     * Compacts every stream once.
     *
     * @param hotWindow     heartbeats younger than this stay rows of their own
     * @param passedPositions the positions every event processor has passed: events at any other stay as they are
     */
    public Result compactAll(Duration hotWindow, Supplier<PassedPositions> passedPositions, Progress progress) {
        PassedPositions passed = passedPositions.get();
        long bound = passed.below();
        String hotEdge = CanonicalForm.timestamp(clock.instant().minus(hotWindow));
        long total = jdbc.queryForObject("SELECT count(*) FROM domain_event_entry WHERE payload_type = ?"
                + " AND global_index < ? AND time_stamp < ?", Long.class, CompactedRuns.HEARTBEAT_TYPE, bound, hotEdge);
        long processed = 0;
        long compacted = 0;
        long removed = 0;
        long reclaimed = 0;
        progress.at(0, total);
        String after = "";
        while (true) {
            List<String> streams = jdbc.queryForList("SELECT DISTINCT aggregate_identifier FROM domain_event_entry"
                    + " WHERE payload_type = ? AND global_index < ? AND time_stamp < ? AND aggregate_identifier > ?"
                    + " ORDER BY aggregate_identifier LIMIT " + STREAMS_PER_QUERY, String.class,
                    CompactedRuns.HEARTBEAT_TYPE, bound, hotEdge, after);
            for (int next = 0; next < streams.size(); ) {
                int from = next;
                long began = System.nanoTime();
                Batch batch = transactions.execute(status -> compactBatch(streams, from, passed, hotEdge));
                next = batch.next();
                Result done = batch.done();
                log.debug("compacted {} heartbeats of {} streams in {} µs", done.heartbeatsCompacted(), next - from,
                        (System.nanoTime() - began) / 1_000);
                compacted += done.heartbeatsCompacted();
                removed += done.rowsRemoved();
                reclaimed += done.bytesReclaimed();
                processed += done.heartbeatsCompacted();
                progress.at(Math.min(processed, total), total);
            }
            if (streams.size() < STREAMS_PER_QUERY) {
                break;
            }
            after = streams.get(streams.size() - 1);
        }
        progress.at(total, total);
        return new Result(compacted, removed, reclaimed);
    }

    /** What one transaction did, and the index of the first stream it left. */
    private record Batch(Result done, int next) {
    }

    /**
     * Compacts streams from {@code from} on, in the caller's transaction, until {@code heartbeatsPerTransaction}
     * heartbeats are compacted or the streams run out.
     */
    private Batch compactBatch(List<String> streams, int from, PassedPositions passed, String hotEdge) {
        long compacted = 0;
        long removed = 0;
        long reclaimed = 0;
        int next = from;
        while (next < streams.size() && compacted < heartbeatsPerTransaction) {
            Result done = compact(streams.get(next++), passed, hotEdge);
            compacted += done.heartbeatsCompacted();
            removed += done.rowsRemoved();
            reclaimed += done.bytesReclaimed();
        }
        return new Batch(new Result(compacted, removed, reclaimed), next);
    }

    /** Compacts one stream's eligible runs, in the caller's transaction. */
    Result compact(String stream, PassedPositions passed, String hotEdge) {
        List<StoredRow> rows = jdbc.query("SELECT global_index, event_identifier, aggregate_identifier,"
                        + " sequence_number, type, time_stamp, payload_type, payload, meta_data FROM domain_event_entry"
                        + " WHERE aggregate_identifier = ? ORDER BY sequence_number",
                (row, number) -> new StoredRow(row.getLong(1), row.getString(2), row.getString(3), row.getLong(4),
                        row.getString(5), row.getString(6), row.getString(7), row.getBytes(8), row.getBytes(9)),
                stream);
        Walk walk = new Walk(stream, passed, hotEdge);
        rows.forEach(walk::accept);
        walk.endRun();
        return walk.result();
    }

    /** A pass over one stream's rows in sequence order, gathering runs and writing each as it ends. */
    private final class Walk {

        private final String stream;
        private final PassedPositions passed;
        private final String hotEdge;
        private ClaimMaterialized claim;
        private Lease lease;
        private String hash;
        private Run run;
        private long compacted;
        private long removed;
        private long reclaimed;

        Walk(String stream, PassedPositions passed, String hotEdge) {
            this.stream = stream;
            this.passed = passed;
            this.hotEdge = hotEdge;
        }

        void accept(StoredRow row) {
            if (CLAIMED_TYPE.equals(row.payloadType())) {
                endRun();
                claim = read(row, ClaimMaterialized.class);
                lease = claim == null ? null : new Lease(claim.leaseExpiresAt(),
                        Duration.ofMillis(claim.leaseTtlMs()), claim.leasePolicy());
            } else if (CompactedRuns.isRun(row.payloadType()) && claim != null && passed.passed(stream, row.position())) {
                // heartbeats gathered before it come earlier in the stream: they cannot join it
                endRun();
                HeartbeatsCompacted existing = runs.run(row);
                // a summary left by retention keeps no detail to extend: heartbeats after it start a run of their own
                if (!CompactedRuns.isSummary(existing) && existing.epoch() == claim.epoch()
                        && existing.count() < MAX_RUN - 1 && continues(existing)) {
                    startRun().addCompacted(row, existing);
                }
                lease = new Lease(existing.leaseExpiresAt(), lease.ttl(), lease.policy());
            } else if (CompactedRuns.HEARTBEAT_TYPE.equals(row.payloadType()) && claim != null) {
                HeartbeatReceived heartbeat = read(row, HeartbeatReceived.class);
                Lease after = heartbeat == null ? lease : lease.afterHeartbeat(heartbeat.receivedAt());
                if (heartbeat != null && passed.passed(stream, row.position()) && row.timeStamp().compareTo(hotEdge) < 0
                        && canonical(row, heartbeat, after)) {
                    if (run == null || run.size() >= MAX_RUN) {
                        endRun();
                    }
                    startRun().addHeartbeat(row, heartbeat, after);
                } else {
                    endRun();
                }
                lease = after;
            } else {
                endRun();
            }
            hash = runs.recordedHash(row);
        }

        /** Whether an existing compacted run continues the state this walk has reached: same lease, same chain. */
        private boolean continues(HeartbeatsCompacted existing) {
            return existing.leaseBefore().equals(lease.expiresAt()) && existing.hashBefore() != null
                    && existing.hashBefore().equals(hash);
        }

        private Run startRun() {
            if (run == null) {
                run = new Run(claim, lease.expiresAt(), hash);
            }
            return run;
        }

        /** Whether every byte of the heartbeat's row is the one the ledger would derive for it here. */
        private boolean canonical(StoredRow row, HeartbeatReceived heartbeat, Lease after) {
            HeartbeatReceived expected = new HeartbeatReceived(claim.tenantId(), claim.consumerId(), claim.epoch(),
                    heartbeat.receivedAt(), heartbeat.reportedAt(), after.expiresAt());
            byte[] payload = runs.bytes(expected);
            String chained = EventChain.hash(stream, row.sequence(), CompactedRuns.HEARTBEAT_TYPE, payload, hash);
            return Arrays.equals(payload, row.payload())
                    && Arrays.equals(CanonicalForm.metaDataColumn(chained), row.metaData())
                    && CanonicalForm.eventIdentifier(stream, row.sequence()).equals(row.eventIdentifier())
                    && CanonicalForm.timestamp(heartbeat.receivedAt()).equals(row.timeStamp())
                    && HeartbeatSegment.encodable(List.of(new HeartbeatSegment.Heartbeat(row.position(),
                    heartbeat.receivedAt(), heartbeat.reportedAt())));
        }

        /** Writes the run gathered so far, if it compacts anything new, and starts afresh. */
        void endRun() {
            if (run != null && run.newRows.size() > 0 && run.heartbeats.size() >= 2) {
                write(run);
            }
            run = null;
        }

        private void write(Run done) {
            StoredRow last = done.newRows.get(done.newRows.size() - 1);
            HeartbeatsCompacted compactedRun = new HeartbeatsCompacted(done.claim.tenantId(),
                    done.claim.consumerId(), done.claim.epoch(), done.claim.leaseTtlMs(), done.claim.leasePolicy(),
                    done.firstSequence, done.heartbeats.size(), done.leaseBefore, done.hashBefore,
                    done.heartbeats.get(done.heartbeats.size() - 1).receivedAt(),
                    done.heartbeats.get(done.heartbeats.size() - 1).reportedAt(), done.leaseAfter,
                    HeartbeatSegment.FORMAT, HeartbeatSegment.encode(done.heartbeats));
            byte[] payload = runs.bytes(compactedRun);
            int updated = jdbc.update("UPDATE domain_event_entry SET payload_type = ?, payload = ?"
                            + " WHERE global_index = ? AND aggregate_identifier = ? AND payload_type = ?",
                    CompactedRuns.RUN_TYPE, payload, last.position(), stream, CompactedRuns.HEARTBEAT_TYPE);
            List<Long> gone = new ArrayList<>();
            long bytesBefore = 0;
            for (StoredRow row : done.replaced) {
                bytesBefore += row.payload().length + (row.metaData() == null ? 0 : row.metaData().length);
                if (row.position() != last.position()) {
                    gone.add(row.position());
                }
            }
            int deleted = gone.isEmpty() ? 0 : jdbc.update("DELETE FROM domain_event_entry WHERE aggregate_identifier = ?"
                    + " AND global_index IN (" + String.join(", ", Collections.nCopies(gone.size(), "?")) + ")",
                    prepend(stream, gone));
            if (updated != 1 || deleted != gone.size()) {
                throw new IllegalStateException("stream " + stream + " changed while it was compacted");
            }
            compacted += done.newRows.size();
            removed += deleted;
            reclaimed += bytesBefore - payload.length - (last.metaData() == null ? 0 : last.metaData().length);
        }

        Result result() {
            return new Result(compacted, removed, reclaimed);
        }

        private <T> T read(StoredRow row, Class<T> type) {
            try {
                return stored.readValue(row.payload(), type);
            } catch (IOException e) {
                return null;
            }
        }
    }

    private static Object[] prepend(String first, List<Long> rest) {
        Object[] all = new Object[rest.size() + 1];
        all[0] = first;
        for (int i = 0; i < rest.size(); i++) {
            all[i + 1] = rest.get(i);
        }
        return all;
    }

    /** The heartbeats of one run being gathered, and the rows they come from. */
    private static final class Run {

        private final ClaimMaterialized claim;
        private final Instant leaseBefore;
        private final String hashBefore;
        private final List<HeartbeatSegment.Heartbeat> heartbeats = new ArrayList<>();
        private final List<StoredRow> replaced = new ArrayList<>();
        private final List<StoredRow> newRows = new ArrayList<>();
        private long firstSequence = -1;
        private Instant leaseAfter;

        Run(ClaimMaterialized claim, Instant leaseBefore, String hashBefore) {
            this.claim = claim;
            this.leaseBefore = leaseBefore;
            this.hashBefore = hashBefore;
        }

        int size() {
            return heartbeats.size();
        }

        void addCompacted(StoredRow row, HeartbeatsCompacted existing) {
            heartbeats.addAll(HeartbeatSegment.decode(existing.heartbeats()));
            replaced.add(row);
            firstSequence = existing.firstSequence();
            leaseAfter = existing.leaseExpiresAt();
        }

        void addHeartbeat(StoredRow row, HeartbeatReceived heartbeat, Lease after) {
            if (firstSequence < 0) {
                firstSequence = row.sequence();
            }
            heartbeats.add(new HeartbeatSegment.Heartbeat(row.position(), heartbeat.receivedAt(),
                    heartbeat.reportedAt()));
            replaced.add(row);
            newRows.add(row);
            leaseAfter = after.expiresAt();
        }
    }
}
