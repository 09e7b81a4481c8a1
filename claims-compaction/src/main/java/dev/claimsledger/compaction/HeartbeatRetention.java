package dev.claimsledger.compaction;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.core.CanonicalForm;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Retention beyond compaction: the detail of compacted runs whose last heartbeat is older than the retention is
 * dropped, each run becoming a summary (format {@value HeartbeatSegment#SUMMARY_FORMAT}) at the same place in its
 * stream. A summary keeps the count, the first and last heartbeat, the lease before and after (the furthest lease end)
 * and the chain's anchors: the hash before the first heartbeat, and the hash after the last in its stored metadata. So
 * the aggregate, the read model and a rebuild see the same claim, and the audit still checks the chain across it.
 * Consecutive summaries of one epoch are merged, so an epoch keeps one, however long it lasts.
 *
 * <p>Every run is first written to a {@link RetentionExport} and forced to disk; only then does its detail leave the
 * database, streams of one batch in one transaction. A run whose heartbeats do not chain to the hash it stores is
 * never dropped: the audit must go on reporting it.
 */
public final class HeartbeatRetention {

    private static final int STREAMS_PER_BATCH = 500;
    private static final String COLUMNS = "global_index, event_identifier, aggregate_identifier, sequence_number, type,"
            + " time_stamp, payload_type, payload, meta_data";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final CompactedRuns runs;
    private final Clock clock;

    public HeartbeatRetention(DataSource dataSource, PlatformTransactionManager transactionManager, ObjectMapper stored,
                              Clock clock) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(transactionManager);
        this.runs = new CompactedRuns(stored);
        this.clock = clock;
    }

    /** What a pass did: heartbeats whose detail was dropped, runs exported first, and the file they went to. */
    public record Result(long heartbeatsDropped, long runsExported, Path exportFile) {
    }

    /**
     * Drops the detail of every compacted run whose last heartbeat is older than {@code retention}, after exporting it
     * to a new file in {@code exportDirectory}.
     */
    public Result dropOlderThan(Duration retention, Path exportDirectory) {
        Instant now = clock.instant();
        String edge = CanonicalForm.timestamp(now.minus(retention));
        long dropped = 0;
        long exported = 0;
        try (RetentionExport export = new RetentionExport(exportDirectory, now)) {
            String after = "";
            while (true) {
                List<String> streams = jdbc.queryForList("SELECT DISTINCT aggregate_identifier FROM domain_event_entry"
                        + " WHERE payload_type = ? AND time_stamp < ? AND aggregate_identifier > ?"
                        + " ORDER BY aggregate_identifier LIMIT " + STREAMS_PER_BATCH, String.class,
                        CompactedRuns.RUN_TYPE, edge, after);
                List<Plan> plans = new ArrayList<>();
                for (String stream : streams) {
                    Plan plan = plan(stream, edge);
                    if (!plan.exported.isEmpty()) {
                        plans.add(plan);
                    }
                }
                export.append(plans.stream().flatMap(plan -> plan.exported.stream()).toList());
                transactions.executeWithoutResult(status -> plans.forEach(this::apply));
                for (Plan plan : plans) {
                    dropped += plan.dropped;
                    exported += plan.exported.size();
                }
                if (streams.size() < STREAMS_PER_BATCH) {
                    break;
                }
                after = streams.get(streams.size() - 1);
            }
            return new Result(dropped, exported, export.path());
        }
    }

    /** What to change in one stream: which runs become summaries, which summaries merge into the next. */
    private Plan plan(String stream, String edge) {
        List<StoredRow> rows = jdbc.query("SELECT " + COLUMNS + " FROM domain_event_entry"
                        + " WHERE aggregate_identifier = ? AND payload_type = ? ORDER BY sequence_number",
                (row, number) -> new StoredRow(row.getLong(1), row.getString(2), row.getString(3), row.getLong(4),
                        row.getString(5), row.getString(6), row.getString(7), row.getBytes(8), row.getBytes(9)),
                stream, CompactedRuns.RUN_TYPE);
        Plan plan = new Plan(stream);
        StoredRow previousRow = null;
        HeartbeatsCompacted previous = null;
        for (StoredRow row : rows) {
            HeartbeatsCompacted run = readable(row);
            if (run != null && CompactedRuns.isSummary(run)) {
                previousRow = row;
                previous = run;
                continue;
            }
            if (run == null || row.timeStamp().compareTo(edge) >= 0 || !runs.chained(row)) {
                previousRow = null;
                previous = null;
                continue;
            }
            HeartbeatsCompacted summary;
            if (previous != null && continues(previousRow, previous, run)) {
                summary = summary(run, previous.firstSequence(), previous.count() + run.count(),
                        previous.leaseBefore(), previous.hashBefore(), previous.heartbeats());
                plan.updates.remove(previousRow.position());
                plan.deletes.add(previousRow.position());
            } else {
                summary = summary(run, run.firstSequence(), run.count(), run.leaseBefore(), run.hashBefore(),
                        HeartbeatSegment.encode(List.of(CompactedRuns.first(run))));
            }
            plan.exported.add(row);
            plan.dropped += run.count();
            plan.updates.put(row.position(), runs.bytes(summary));
            previousRow = row;
            previous = summary;
        }
        return plan;
    }

    private void apply(Plan plan) {
        for (Long position : plan.deletes) {
            expectOne(jdbc.update("DELETE FROM domain_event_entry WHERE global_index = ? AND aggregate_identifier = ?"
                    + " AND payload_type = ?", position, plan.stream, CompactedRuns.RUN_TYPE), plan.stream);
        }
        plan.updates.forEach((position, payload) -> expectOne(jdbc.update("UPDATE domain_event_entry SET payload = ?"
                + " WHERE global_index = ? AND aggregate_identifier = ? AND payload_type = ?", payload, position,
                plan.stream, CompactedRuns.RUN_TYPE), plan.stream));
    }

    private static void expectOne(int changed, String stream) {
        if (changed != 1) {
            throw new IllegalStateException("stream " + stream + " changed while its heartbeat detail was dropped");
        }
    }

    private static HeartbeatsCompacted summary(HeartbeatsCompacted last, long firstSequence, int count,
                                               Instant leaseBefore, String hashBefore, byte[] first) {
        return new HeartbeatsCompacted(last.tenantId(), last.consumerId(), last.epoch(), last.leaseTtlMs(),
                last.leasePolicy(), firstSequence, count, leaseBefore, hashBefore, last.lastReceivedAt(),
                last.lastReportedAt(), last.leaseExpiresAt(), HeartbeatSegment.SUMMARY_FORMAT, first);
    }

    /** Whether {@code run} starts right where the summary {@code previous} ends: same epoch, lease and chain. */
    private boolean continues(StoredRow previousRow, HeartbeatsCompacted previous, HeartbeatsCompacted run) {
        return run.firstSequence() == previousRow.sequence() + 1 && run.epoch() == previous.epoch()
                && Objects.equals(run.leaseBefore(), previous.leaseExpiresAt())
                && Objects.equals(run.hashBefore(), runs.recordedHash(previousRow));
    }

    private HeartbeatsCompacted readable(StoredRow row) {
        try {
            return runs.run(row);
        } catch (IllegalArgumentException unreadable) {
            return null;
        }
    }

    /** The changes planned for one stream. */
    private static final class Plan {
        private final String stream;
        private final List<StoredRow> exported = new ArrayList<>();
        private final Map<Long, byte[]> updates = new LinkedHashMap<>();
        private final List<Long> deletes = new ArrayList<>();
        private long dropped;

        Plan(String stream) {
            this.stream = stream;
        }
    }
}
