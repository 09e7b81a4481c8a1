package dev.claimsledger.compaction;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.HeartbeatsCompacted;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An auditor's check of retention's export files against the ledger. Each exported run must be readable, and its
 * heartbeats must chain to the hash it records. Where the ledger keeps a summary of them, the exported runs must join
 * it exactly: from the summary's hash and lease before, through each run, to the hash the summary stores and the lease
 * it ends with, with the same first and last heartbeat and, once the summary is wholly exported, the same count. Where
 * the ledger still holds the heartbeats (a retention stopped between export and drop), they must be the exported ones.
 * It only reads.
 */
public final class RetentionExportCheck {

    private static final String COLUMNS = "global_index, event_identifier, aggregate_identifier, sequence_number, type,"
            + " time_stamp, payload_type, payload, meta_data";
    private static final int MAX_FINDINGS = 1_000;

    private final JdbcTemplate jdbc;
    private final CompactedRuns runs;

    public RetentionExportCheck(DataSource dataSource, ObjectMapper stored) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.runs = new CompactedRuns(stored);
    }

    /**
     * @param runsRead          exported runs read
     * @param heartbeats        heartbeats those runs hold
     * @param summariesVerified summaries of the ledger the export covers wholly, and matches
     * @param summariesPartly   summaries it covers in part (the rest in other files), matching where it covers them
     * @param runsStillHeld     exported runs whose heartbeats the ledger still holds, as exported
     * @param findings          what does not match, each naming its stream and sequences
     */
    public record Report(long runsRead, long heartbeats, long summariesVerified, long summariesPartly,
                         long runsStillHeld, List<String> findings) {

        public boolean intact() {
            return findings.isEmpty();
        }
    }

    /**
     * @throws IllegalArgumentException when a file holds a line that is not an exported run
     */
    public Report check(Path fileOrDirectory) {
        List<String> findings = new ArrayList<>();
        Map<String, List<Exported>> byStream = new LinkedHashMap<>();
        long heartbeats = 0;
        List<RetentionExport.Line> lines = RetentionExport.read(fileOrDirectory);
        for (RetentionExport.Line line : lines) {
            StoredRow row = line.row();
            String where = row.streamId() + " up to sequence " + row.sequence();
            List<StoredRow> expanded;
            try {
                expanded = runs.expand(row);
            } catch (IllegalArgumentException unreadable) {
                add(findings, where + ": the exported run cannot be read: " + unreadable.getMessage());
                continue;
            }
            HeartbeatsCompacted run = runs.run(row);
            heartbeats += expanded.size();
            if (!runs.chained(row)) {
                add(findings, where + ": the exported heartbeats do not chain to the hash the export records");
                continue;
            }
            byStream.computeIfAbsent(row.streamId(), stream -> new ArrayList<>())
                    .add(new Exported(row, run, expanded));
        }
        long[] verified = {0};
        long[] partly = {0};
        long[] stillHeld = {0};
        byStream.forEach((stream, exported) -> checkStream(stream, exported, findings, verified, partly, stillHeld));
        return new Report(lines.size(), heartbeats, verified[0], partly[0], stillHeld[0], List.copyOf(findings));
    }

    private void checkStream(String stream, List<Exported> exported, List<String> findings, long[] verified,
                             long[] partly, long[] stillHeld) {
        List<StoredRow> ledgerRows = jdbc.query("SELECT " + COLUMNS + " FROM domain_event_entry"
                        + " WHERE aggregate_identifier = ? AND payload_type = ? ORDER BY sequence_number",
                (row, number) -> new StoredRow(row.getLong(1), row.getString(2), row.getString(3), row.getLong(4),
                        row.getString(5), row.getString(6), row.getString(7), row.getBytes(8), row.getBytes(9)),
                stream, CompactedRuns.RUN_TYPE);
        Map<StoredRow, List<Exported>> bySummary = new LinkedHashMap<>();
        for (Exported piece : exported) {
            String where = stream + " sequences " + piece.run.firstSequence() + " to " + piece.row.sequence();
            StoredRow holder = ledgerRows.stream()
                    .filter(row -> row.sequence() >= piece.row.sequence() && firstSequence(row) <= piece.run.firstSequence())
                    .findFirst().orElse(null);
            if (holder == null) {
                add(findings, where + ": the ledger holds neither these heartbeats nor a summary of them");
            } else if (isSummary(holder)) {
                bySummary.computeIfAbsent(holder, summary -> new ArrayList<>()).add(piece);
            } else if (sameHeartbeats(holder, piece)) {
                stillHeld[0]++;
            } else {
                add(findings, where + ": the ledger still holds these heartbeats, but not as exported");
            }
        }
        bySummary.forEach((summaryRow, pieces) -> {
            switch (joins(summaryRow, pieces, findings)) {
                case WHOLE -> verified[0]++;
                case PART -> partly[0]++;
                case BROKEN -> {
                }
            }
        });
    }

    private enum Coverage { WHOLE, PART, BROKEN }

    /** Walks the exported runs of one summary in sequence order, from its anchors before to its anchors after. */
    private Coverage joins(StoredRow summaryRow, List<Exported> pieces, List<String> findings) {
        HeartbeatsCompacted summary = runs.run(summaryRow);
        String where = summaryRow.streamId() + " summary of sequences " + summary.firstSequence() + " to "
                + summaryRow.sequence();
        pieces.sort(Comparator.comparingLong((Exported piece) -> piece.run.firstSequence())
                .thenComparing(piece -> -piece.row.sequence()));
        long next = summary.firstSequence();
        String hash = summary.hashBefore();
        Instant lease = summary.leaseBefore();
        boolean whole = true;
        long count = 0;
        Exported last = null;
        for (Exported piece : pieces) {
            if (piece.row.sequence() < next) {
                continue;
            }
            if (piece.run.firstSequence() != next) {
                whole = false;
            } else if (!Objects.equals(piece.run.hashBefore(), hash) || !Objects.equals(piece.run.leaseBefore(), lease)
                    || piece.run.epoch() != summary.epoch()) {
                add(findings, where + ": the exported run from sequence " + piece.run.firstSequence()
                        + " does not continue the chain, lease or epoch before it");
                return Coverage.BROKEN;
            }
            if (piece.run.firstSequence() == summary.firstSequence()
                    && !sameRow(piece.expanded.get(0), runs.ends(summaryRow).get(0))) {
                add(findings, where + ": its first heartbeat is not the first exported one (position "
                        + piece.expanded.get(0).position() + ")");
                return Coverage.BROKEN;
            }
            count += piece.expanded.size();
            next = piece.row.sequence() + 1;
            hash = runs.recordedHash(piece.row);
            lease = piece.run.leaseExpiresAt();
            last = piece;
        }
        if (last == null || next != summaryRow.sequence() + 1) {
            return Coverage.PART;
        }
        if (!Objects.equals(hash, runs.recordedHash(summaryRow)) || !Objects.equals(lease, summary.leaseExpiresAt())
                || !Objects.equals(last.run.lastReceivedAt(), summary.lastReceivedAt())
                || !Objects.equals(last.run.lastReportedAt(), summary.lastReportedAt())) {
            add(findings, where + ": the exported heartbeats do not end with the hash, lease and last heartbeat the"
                    + " summary keeps");
            return Coverage.BROKEN;
        }
        if (!whole) {
            return Coverage.PART;
        }
        if (count != summary.count()) {
            add(findings, where + ": it says " + summary.count() + " heartbeats, the export holds " + count);
            return Coverage.BROKEN;
        }
        return Coverage.WHOLE;
    }

    private boolean sameHeartbeats(StoredRow holder, Exported piece) {
        List<StoredRow> held;
        try {
            held = runs.expand(holder);
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
        for (StoredRow heartbeat : piece.expanded) {
            if (held.stream().noneMatch(row -> sameRow(heartbeat, row))) {
                return false;
            }
        }
        return true;
    }

    /** Whether two rows are the same event, byte for byte. */
    private static boolean sameRow(StoredRow exported, StoredRow kept) {
        return exported.position() == kept.position() && exported.sequence() == kept.sequence()
                && Arrays.equals(exported.payload(), kept.payload()) && Arrays.equals(exported.metaData(), kept.metaData());
    }

    private boolean isSummary(StoredRow row) {
        try {
            return CompactedRuns.isSummary(runs.run(row));
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
    }

    private long firstSequence(StoredRow row) {
        try {
            return runs.run(row).firstSequence();
        } catch (IllegalArgumentException unreadable) {
            return row.sequence();
        }
    }

    private static void add(List<String> findings, String finding) {
        if (findings.size() < MAX_FINDINGS) {
            findings.add(finding);
        }
    }

    /** One exported run, read. */
    private record Exported(StoredRow row, HeartbeatsCompacted run, List<StoredRow> expanded) {
    }
}
