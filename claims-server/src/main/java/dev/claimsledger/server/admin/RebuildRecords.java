package dev.claimsledger.server.admin;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimRejectedException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The rebuilds of one read model in {@code read_model_rebuild}, shared by every node: who runs one, how far it has
 * come, how it ended. Starting one locks the read model's row of {@code read_model_rebuild_guard}, so two nodes never
 * both start one. A running rebuild reports with every batch it writes, through {@link #stillRunning}, in that
 * batch's transaction: once another node has declared it abandoned, its writes roll back and it stops.
 */
final class RebuildRecords {

    /** How long a running rebuild may go without reporting before another one may take its place. */
    static final Duration ABANDONED_AFTER = Duration.ofSeconds(30);

    private static final String COLUMNS = "id, state, started_at, finished_at, total, processed, failure";

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final String readModel;
    private final String node;

    RebuildRecords(JdbcClient jdbc, TransactionTemplate transactions, Clock clock, String readModel, String node) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.readModel = readModel;
        this.node = node;
    }

    /**
     * Records a new running rebuild, unless one runs anywhere in the cluster.
     *
     * @throws ClaimRejectedException {@code conflict} while another rebuild runs
     */
    Rebuild start(long total) {
        return transactions.execute(status -> {
            jdbc.sql("SELECT read_model FROM read_model_rebuild_guard WHERE read_model = ? FOR UPDATE")
                    .param(readModel).query(String.class).single();
            Instant now = clock.instant();
            List<Running> running = jdbc.sql("SELECT id, node, reported_at FROM read_model_rebuild"
                            + " WHERE read_model = ? AND state = 'running'")
                    .param(readModel)
                    .query((row, n) -> new Running(row.getString("id"), row.getString("node"),
                            instant(row, "reported_at")))
                    .list();
            for (Running other : running) {
                if (other.reportedAt().isAfter(now.minus(ABANDONED_AFTER))) {
                    throw new ClaimRejectedException(ClaimErrorCode.CONFLICT, "rebuild " + other.id()
                            + " is still running (on " + other.node() + ")");
                }
                fail(other.id(), "abandoned: its node " + other.node() + " stopped reporting at "
                        + other.reportedAt());
            }
            Rebuild rebuild = new Rebuild(UUID.randomUUID().toString(), Rebuild.State.RUNNING, now, null, total, 0,
                    null);
            jdbc.sql("INSERT INTO read_model_rebuild (id, read_model, node, state, started_at, reported_at, total,"
                            + " processed) VALUES (?, ?, ?, 'running', ?, ?, ?, 0)")
                    .params(rebuild.id(), readModel, node, utc(now), utc(now), total)
                    .update();
            return rebuild;
        });
    }

    Optional<Rebuild> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM read_model_rebuild WHERE id = ? AND read_model = ?")
                .params(id, readModel)
                .query(RebuildRecords::rebuild)
                .optional();
    }

    /**
     * Reports progress, in the caller's transaction, and locks the rebuild's row until it ends.
     *
     * @return false when the rebuild is no longer running (another node declared it abandoned): the caller must roll
     *         back and stop
     */
    boolean stillRunning(String id, long processed) {
        return jdbc.sql("UPDATE read_model_rebuild SET processed = ?, reported_at = ? WHERE id = ? AND state = 'running'")
                .params(processed, utc(clock.instant()), id)
                .update() == 1;
    }

    /** Records that it is done, with every position processed. */
    void finish(String id) {
        jdbc.sql("UPDATE read_model_rebuild SET state = 'done', processed = total, finished_at = ?, reported_at = ?"
                        + " WHERE id = ? AND state = 'running'")
                .params(utc(clock.instant()), utc(clock.instant()), id)
                .update();
    }

    /** Records that it failed, unless it has already ended. */
    void fail(String id, String reason) {
        String failure = reason == null ? "unknown" : reason.length() <= 2000 ? reason : reason.substring(0, 2000);
        jdbc.sql("UPDATE read_model_rebuild SET state = 'failed', failure = ?, finished_at = ? WHERE id = ?"
                        + " AND state = 'running'")
                .params(failure, utc(clock.instant()), id)
                .update();
    }

    private static Rebuild rebuild(ResultSet row, int rowNumber) throws SQLException {
        return new Rebuild(row.getString("id"),
                Rebuild.State.valueOf(row.getString("state").toUpperCase(Locale.ROOT)),
                instant(row, "started_at"), instant(row, "finished_at"), row.getLong("total"),
                row.getLong("processed"), row.getString("failure"));
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private record Running(String id, String node, Instant reportedAt) {
    }
}
