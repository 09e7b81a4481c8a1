package dev.claimsledger.projection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import javax.sql.DataSource;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds the {@code consumer_claims} table from the claim events. Every handler is idempotent: a row remembers the
 * sequence number of the last event applied to it, and an event at or below it changes nothing, so redelivery and
 * replays are safe. Times come from the events, never from the clock, so a rebuild gives the same rows.
 *
 * <p>Inside an event processor's batch the row changes are collected and written at the end of the batch, in event
 * order (the claims first, then every other change through one statement: on PostgreSQL as arrays, many rows per
 * statement; on H2 as a JDBC batch), instead of one round trip per event. A claim's row is always inserted by its
 * first event, so writing the inserts first keeps each row's changes in order.
 *
 * <p>A rebuild applies the same row changes ({@link #rebuildChanges}) to {@link #REBUILD_TABLE}, a table of the same
 * shape, and then makes {@link #TABLE} hold exactly its rows ({@link #replaceRows}).
 */
@Component
@ProcessingGroup(ConsumerClaimsProjection.PROCESSING_GROUP)
public class ConsumerClaimsProjection {

    public static final String PROCESSING_GROUP = "consumer-claims";
    /** The read model every query reads. */
    public static final String TABLE = "consumer_claims";
    /** Where a rebuild builds the read model anew, beside {@link #TABLE}. */
    public static final String REBUILD_TABLE = "consumer_claims_rebuild";

    private static final String COLUMNS = """
            tenant_id, consumer_id, epoch, wake_id, entity_url, stream_path, runner_id, status, claimed_at,
            last_heartbeat_at, lease_expires_at, released_at, acked_streams, updated_at, lease_ttl_ms, lease_policy,
            heartbeat_count, ended_at, end_reason, last_event_sequence, last_heartbeat_skew_ms""";
    private static final String INSERT_CLAIM = """
            INSERT INTO %1$s (%2$s)
            SELECT ?, ?, ?, ?, ?, ?, ?, 'active', ?, NULL, ?, NULL, '[]', ?, ?, ?, 0, NULL, NULL, ?, NULL
            WHERE NOT EXISTS (SELECT 1 FROM %1$s WHERE tenant_id = ? AND consumer_id = ? AND epoch = ?)
            """;
    private static final int[] INSERT_TYPES = {Types.VARCHAR, Types.VARCHAR, Types.BIGINT, Types.VARCHAR,
            Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE,
            Types.TIMESTAMP_WITH_TIMEZONE, Types.BIGINT, Types.VARCHAR, Types.BIGINT, Types.VARCHAR, Types.VARCHAR,
            Types.BIGINT};

    /**
     * Every change after the claim: a null leaves its column as it is, except the skew, which a heartbeat always sets
     * (to null when it reported no time). The last parameter is the first event the change stands for: the row
     * changes only if it has not applied that one yet.
     */
    private static final String APPLY_CHANGE = """
            UPDATE %s
            SET last_heartbeat_at = COALESCE(?, last_heartbeat_at), heartbeat_count = heartbeat_count + ?,
                status = COALESCE(?, status), released_at = COALESCE(?, released_at), ended_at = COALESCE(?, ended_at),
                end_reason = COALESCE(?, end_reason), acked_streams = COALESCE(?, acked_streams),
                lease_expires_at = ?, updated_at = ?, last_event_sequence = ?,
                last_heartbeat_skew_ms = CASE WHEN ? > 0 THEN ? ELSE last_heartbeat_skew_ms END
            WHERE tenant_id = ? AND consumer_id = ? AND epoch = ? AND last_event_sequence < ?
            """;
    /**
     * {@link #APPLY_CHANGE} for many rows in one statement, on PostgreSQL: the changes come as one array per column,
     * in the order of {@link #CHANGE_TYPES}, timestamps as text. Each row may appear once per statement.
     */
    private static final String APPLY_CHANGES_TOGETHER = """
            UPDATE %s c
            SET last_heartbeat_at = COALESCE(v.heartbeat_at, c.last_heartbeat_at),
                heartbeat_count = c.heartbeat_count + v.heartbeats,
                status = COALESCE(v.status, c.status), released_at = COALESCE(v.released_at, c.released_at),
                ended_at = COALESCE(v.ended_at, c.ended_at), end_reason = COALESCE(v.end_reason, c.end_reason),
                acked_streams = COALESCE(v.acked_streams, c.acked_streams), lease_expires_at = v.lease_expires_at,
                updated_at = v.updated_at, last_event_sequence = v.last_event_sequence,
                last_heartbeat_skew_ms = CASE WHEN v.skew_heartbeats > 0 THEN v.skew_ms
                                              ELSE c.last_heartbeat_skew_ms END
            FROM unnest(?::timestamptz[], ?::bigint[], ?::varchar[], ?::timestamptz[], ?::timestamptz[], ?::varchar[],
                        ?::text[], ?::timestamptz[], ?::timestamptz[], ?::bigint[], ?::bigint[], ?::bigint[],
                        ?::varchar[], ?::varchar[], ?::bigint[], ?::bigint[])
                AS v(heartbeat_at, heartbeats, status, released_at, ended_at, end_reason, acked_streams,
                     lease_expires_at, updated_at, last_event_sequence, skew_heartbeats, skew_ms, tenant_id,
                     consumer_id, epoch, first_sequence)
            WHERE c.tenant_id = v.tenant_id AND c.consumer_id = v.consumer_id AND c.epoch = v.epoch
              AND c.last_event_sequence < v.first_sequence
            """;
    private static final int[] CHANGE_TYPES = {Types.TIMESTAMP_WITH_TIMEZONE, Types.BIGINT, Types.VARCHAR,
            Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE, Types.VARCHAR, Types.VARCHAR,
            Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE, Types.BIGINT, Types.BIGINT, Types.BIGINT,
            Types.VARCHAR, Types.VARCHAR, Types.BIGINT, Types.BIGINT};

    /** Rows of {@link #TABLE} that the other table does not hold exactly as they are; null-safe on every column. */
    private static final String DELETE_DIFFERING = """
            DELETE FROM %1$s live WHERE NOT EXISTS (
                SELECT 1 FROM %2$s rebuilt
                WHERE rebuilt.tenant_id = live.tenant_id AND rebuilt.consumer_id = live.consumer_id
                  AND rebuilt.epoch = live.epoch AND rebuilt.last_event_sequence = live.last_event_sequence
                  AND rebuilt.status = live.status AND rebuilt.heartbeat_count = live.heartbeat_count
                  AND rebuilt.lease_expires_at = live.lease_expires_at AND rebuilt.updated_at = live.updated_at
                  AND rebuilt.claimed_at = live.claimed_at AND rebuilt.entity_url = live.entity_url
                  AND rebuilt.stream_path = live.stream_path AND rebuilt.acked_streams = live.acked_streams
                  AND rebuilt.lease_ttl_ms = live.lease_ttl_ms AND rebuilt.lease_policy = live.lease_policy
                  AND rebuilt.wake_id IS NOT DISTINCT FROM live.wake_id
                  AND rebuilt.runner_id IS NOT DISTINCT FROM live.runner_id
                  AND rebuilt.last_heartbeat_at IS NOT DISTINCT FROM live.last_heartbeat_at
                  AND rebuilt.released_at IS NOT DISTINCT FROM live.released_at
                  AND rebuilt.ended_at IS NOT DISTINCT FROM live.ended_at
                  AND rebuilt.end_reason IS NOT DISTINCT FROM live.end_reason
                  AND rebuilt.last_heartbeat_skew_ms IS NOT DISTINCT FROM live.last_heartbeat_skew_ms)
            """;
    private static final String INSERT_MISSING = """
            INSERT INTO %1$s (%3$s)
            SELECT %3$s FROM %2$s rebuilt WHERE NOT EXISTS (
                SELECT 1 FROM %1$s live
                WHERE live.tenant_id = rebuilt.tenant_id AND live.consumer_id = rebuilt.consumer_id
                  AND live.epoch = rebuilt.epoch)
            """;

    private static final String PENDING = ConsumerClaimsProjection.class.getName() + ".pending";

    private final JdbcTemplate jdbc;
    private final RowChanges direct = new RowChanges(TABLE, false);

    public ConsumerClaimsProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(ClaimMaterialized event, @SequenceNumber long sequence) {
        apply(event, sequence);
    }

    @EventHandler
    void on(HeartbeatReceived event, @SequenceNumber long sequence) {
        apply(event, sequence);
    }

    /**
     * A compacted run of heartbeats, met only by a projection built from scratch, which has applied none of them: it
     * applies them all, as it would have one by one ({@code last_event_sequence} below the run's first).
     */
    @EventHandler
    void on(HeartbeatsCompacted run, @SequenceNumber long sequence) {
        apply(run, sequence);
    }

    @EventHandler
    void on(ClaimReleased event, @SequenceNumber long sequence) {
        apply(event, sequence);
    }

    @EventHandler
    void on(ClaimLeaseExpired event, @SequenceNumber long sequence) {
        apply(event, sequence);
    }

    @EventHandler
    void on(ClaimSuperseded event, @SequenceNumber long sequence) {
        apply(event, sequence);
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM " + TABLE);
    }

    /** An empty set of row changes for {@code table}: {@link #TABLE} or {@link #REBUILD_TABLE}. */
    public static RowChanges changesTo(String table) {
        return new RowChanges(table, false);
    }

    /**
     * An empty set of row changes for {@link #REBUILD_TABLE}, which a rebuild fills by applying every event once, in
     * order: so a claim's consecutive heartbeats are written as one change, as a compacted run of them is, instead of
     * one statement each. The processor's own changes are never folded: the events it applies again after a restart
     * or a rebuild can end inside such a range, which its row would then skip whole.
     */
    public static RowChanges rebuildChanges() {
        return new RowChanges(REBUILD_TABLE, true);
    }

    /**
     * Makes {@link #TABLE} hold exactly the rows of {@code source} (a table of the same shape): deletes every row that
     * differs from, or is missing in, {@code source}, and inserts what {@code source} has beyond that. Rows that are
     * already equal are not written at all. Run it in the caller's transaction, so readers see the old rows or the
     * new ones, never a mix.
     *
     * @return how many rows were deleted and inserted
     */
    public static RowsReplaced replaceRows(JdbcTemplate jdbc, String source) {
        String from = tableName(source);
        int deleted = jdbc.update(DELETE_DIFFERING.formatted(TABLE, from));
        int inserted = jdbc.update(INSERT_MISSING.formatted(TABLE, from, COLUMNS));
        return new RowsReplaced(deleted, inserted);
    }

    /** What {@link #replaceRows} wrote: a changed row counts as deleted and inserted. */
    public record RowsReplaced(int deleted, int inserted) {
    }

    private void apply(ClaimEvent event, long sequence) {
        if (CurrentUnitOfWork.isStarted()) {
            pending().add(event, sequence);
        } else {
            direct.add(event, sequence);
            direct.writeTo(jdbc);
        }
    }

    /** The changes of the current unit of work, written when it commits. */
    private RowChanges pending() {
        UnitOfWork<?> root = CurrentUnitOfWork.get().root();
        return root.getOrComputeResource(PENDING, key -> {
            RowChanges pending = new RowChanges(TABLE, false);
            root.onPrepareCommit(unitOfWork -> pending.writeTo(jdbc));
            return pending;
        });
    }

    private static String tableName(String table) {
        if (!TABLE.equals(table) && !REBUILD_TABLE.equals(table)) {
            throw new IllegalArgumentException("not a table of the consumer-claims read model: " + table);
        }
        return table;
    }

    /** The same as {@code instant.atOffset(UTC)}, which on Java 17 builds the offset's rules for every call. */
    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.of(
                LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC), ZoneOffset.UTC);
    }

    /** Row changes of one table waiting to be written, in event order. */
    public static final class RowChanges {

        private static final ObjectMapper JSON = new ObjectMapper();
        private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000};
        /** Which data sources are PostgreSQL; weak, so that a closed application context's pool can go. */
        private static final Map<DataSource, Boolean> POSTGRES = Collections.synchronizedMap(new WeakHashMap<>());

        private static final int HEARTBEAT_AT = 0;
        private static final int HEARTBEATS = 1;
        private static final int LEASE_EXPIRES_AT = 7;
        private static final int UPDATED_AT = 8;
        private static final int SEQUENCE = 9;
        private static final int SKEW_HEARTBEATS = 10;
        private static final int SKEW_MS = 11;

        private static final int TENANT_ID = 12;
        private static final int CONSUMER_ID = 13;
        private static final int EPOCH = 14;

        private final String insertClaim;
        private final String applyChange;
        private final String applyChangesTogether;
        private final List<Object[]> inserts = new ArrayList<>();
        private final List<Object[]> changes = new ArrayList<>();
        /** Folding: each claim whose last change so far is its heartbeats', and where that change is. */
        private final Map<Row, Object[]> heartbeatChanges;

        private RowChanges(String table, boolean foldsHeartbeats) {
            insertClaim = INSERT_CLAIM.formatted(tableName(table), COLUMNS);
            applyChange = APPLY_CHANGE.formatted(tableName(table));
            applyChangesTogether = APPLY_CHANGES_TOGETHER.formatted(tableName(table));
            heartbeatChanges = foldsHeartbeats ? new HashMap<>() : null;
        }

        /** Adds what {@code event}, at {@code sequence} in its consumer's stream, changes; other payloads change nothing. */
        public synchronized void add(Object event, long sequence) {
            if (event instanceof ClaimMaterialized claimed) {
                inserts.add(new Object[]{claimed.tenantId(), claimed.consumerId(), claimed.epoch(), claimed.wakeId(),
                        claimed.entityUrl(), claimed.streamPath(), claimed.runnerId(), utc(claimed.claimedAt()),
                        utc(claimed.leaseExpiresAt()), utc(claimed.claimedAt()), claimed.leaseTtlMs(),
                        claimed.leasePolicy().wireName(), sequence, claimed.tenantId(), claimed.consumerId(),
                        claimed.epoch()});
            } else if (event instanceof HeartbeatReceived heartbeat) {
                if (!folded(heartbeat, sequence)) {
                    change(heartbeat, sequence, sequence, heartbeat.receivedAt(), heartbeat.receivedAt(), 1,
                            skewMs(heartbeat.receivedAt(), heartbeat.reportedAt()), null, null, null);
                    if (heartbeatChanges != null) {
                        heartbeatChanges.put(Row.of(heartbeat), changes.get(changes.size() - 1));
                    }
                }
                return;
            } else if (event instanceof HeartbeatsCompacted run) {
                change(run, sequence, run.firstSequence(), run.lastReceivedAt(), run.lastReceivedAt(), run.count(),
                        skewMs(run.lastReceivedAt(), run.lastReportedAt()), null, null, null);
            } else if (event instanceof ClaimReleased released) {
                change(released, sequence, sequence, released.releasedAt(), null, 0, null, ClaimStatus.RELEASED,
                        released.releasedAt(), toJson(released.ackedStreams()));
            } else if (event instanceof ClaimLeaseExpired expired) {
                change(expired, sequence, sequence, expired.expiredAt(), null, 0, null, ClaimStatus.EXPIRED, null,
                        null);
            } else if (event instanceof ClaimSuperseded superseded) {
                change(superseded, sequence, sequence, superseded.supersededAt(), null, 0, null,
                        ClaimStatus.SUPERSEDED, null, null);
            }
            if (heartbeatChanges != null && event instanceof ClaimEvent claimEvent) {
                heartbeatChanges.remove(Row.of(claimEvent));
            }
        }

        /**
         * Folds the heartbeat into its claim's change when that is the change of the heartbeat just before it in the
         * stream: the count grows by one, and everything else is this heartbeat's, as applying it after would leave
         * the row.
         */
        private boolean folded(HeartbeatReceived heartbeat, long sequence) {
            Object[] change = heartbeatChanges == null ? null : heartbeatChanges.get(Row.of(heartbeat));
            if (change == null || (long) change[SEQUENCE] != sequence - 1) {
                return false;
            }
            int heartbeats = (int) change[HEARTBEATS] + 1;
            change[HEARTBEAT_AT] = utc(heartbeat.receivedAt());
            change[HEARTBEATS] = heartbeats;
            change[LEASE_EXPIRES_AT] = utc(heartbeat.leaseExpiresAt());
            change[UPDATED_AT] = utc(heartbeat.receivedAt());
            change[SEQUENCE] = sequence;
            change[SKEW_HEARTBEATS] = heartbeats;
            change[SKEW_MS] = skewMs(heartbeat.receivedAt(), heartbeat.reportedAt());
            return true;
        }

        /** How many events wait to be written. */
        public synchronized int size() {
            return inserts.size() + changes.size();
        }

        /** Writes the waiting changes, claims first, in the caller's transaction, and forgets them. */
        public synchronized void writeTo(JdbcTemplate jdbc) {
            if (heartbeatChanges != null) {
                heartbeatChanges.clear();
            }
            if (!inserts.isEmpty()) {
                jdbc.batchUpdate(insertClaim, inserts, INSERT_TYPES);
                inserts.clear();
            }
            if (!changes.isEmpty()) {
                if (isPostgres(jdbc)) {
                    applyTogether(jdbc);
                } else {
                    jdbc.batchUpdate(applyChange, changes, CHANGE_TYPES);
                }
                changes.clear();
            }
        }

        /**
         * Applies the changes on PostgreSQL in as few statements as rows allow: a statement's changes are one array
         * per column, which costs PostgreSQL about half as much per row as a statement per change (BENCHMARKS.md).
         * An UPDATE applies one change per row at most, so the changes are cut into rounds in event order: the
         * first change of every row, then the second, and so on.
         */
        private void applyTogether(JdbcTemplate jdbc) {
            Map<Row, Integer> changesPerRow = new HashMap<>();
            List<List<Object[]>> rounds = new ArrayList<>();
            for (Object[] change : changes) {
                Row row = new Row((String) change[TENANT_ID], (String) change[CONSUMER_ID], (long) change[EPOCH]);
                int round = changesPerRow.merge(row, 1, Integer::sum) - 1;
                if (round == rounds.size()) {
                    rounds.add(new ArrayList<>());
                }
                rounds.get(round).add(change);
            }
            for (List<Object[]> round : rounds) {
                jdbc.update(connection -> {
                    PreparedStatement statement = connection.prepareStatement(applyChangesTogether);
                    for (int column = 0; column < CHANGE_TYPES.length; column++) {
                        boolean number = CHANGE_TYPES[column] == Types.BIGINT;
                        Object[] values = number ? new Long[round.size()] : new String[round.size()];
                        for (int index = 0; index < values.length; index++) {
                            values[index] = arrayElement(round.get(index)[column]);
                        }
                        statement.setArray(column + 1, connection.createArrayOf(number ? "int8" : "text", values));
                    }
                    return statement;
                });
            }
        }

        private static Object arrayElement(Object value) {
            if (value instanceof OffsetDateTime time) {
                return microsecondText(time.toEpochSecond(), time.getNano());
            }
            if (value instanceof Number number) {
                return number.longValue();
            }
            return value;
        }

        /**
         * A time as text in UTC with six digits of fraction, the nanoseconds rounded half up to microseconds as the
         * JDBC driver rounds a timestamp parameter (PostgreSQL would round the nanoseconds of text half to even), so
         * that both statements store the same time. Written without java.time's formatter, which made 6% of what single
         * heartbeats allocated (BENCHMARKS.md); years outside 0000 to 9999 are left to it.
         */
        static String microsecondText(long epochSecond, int nano) {
            long second = epochSecond;
            int micros = (nano + 500) / 1_000;
            if (micros == 1_000_000) {
                second++;
                micros = 0;
            }
            LocalDateTime time = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            if (time.getYear() < 0 || time.getYear() > 9999) {
                return Instant.ofEpochSecond(second, micros * 1_000L).toString();
            }
            StringBuilder text = new StringBuilder(27);
            digits(text, time.getYear(), 4).append('-');
            digits(text, time.getMonthValue(), 2).append('-');
            digits(text, time.getDayOfMonth(), 2).append('T');
            digits(text, time.getHour(), 2).append(':');
            digits(text, time.getMinute(), 2).append(':');
            digits(text, time.getSecond(), 2).append('.');
            return digits(text, micros, 6).append('Z').toString();
        }

        /** {@code value} as {@code count} decimal digits, zero-padded. */
        private static StringBuilder digits(StringBuilder text, int value, int count) {
            for (int divisor = POWERS_OF_TEN[count - 1]; divisor > 0; divisor /= 10) {
                text.append((char) ('0' + value / divisor % 10));
            }
            return text;
        }

        /** Whether the template's database is PostgreSQL, asked once per data source rather than once per batch. */
        private static boolean isPostgres(JdbcTemplate jdbc) {
            return POSTGRES.computeIfAbsent(jdbc.getDataSource(), dataSource ->
                    Boolean.TRUE.equals(jdbc.execute((ConnectionCallback<Boolean>) connection ->
                            "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName()))));
        }

        /**
         * @param firstSequence the first event the change stands for: the row changes only if it has not applied it
         * @param at            when the event happened (ledger time)
         * @param heartbeatAt   the new last heartbeat, or null
         * @param heartbeats    how many heartbeats to add
         * @param skewMs        the last heartbeat's reported minus received time, or null
         * @param endedAs       the status the claim ends in, or null while it stays active
         * @param releasedAt    the release time, or null
         * @param ackedStreams  the acked streams as JSON, or null to keep them
         */
        private void change(ClaimEvent event, long sequence, long firstSequence, Instant at, Instant heartbeatAt,
                            int heartbeats, Long skewMs, ClaimStatus endedAs, Instant releasedAt,
                            String ackedStreams) {
            String status = endedAs == null ? null : endedAs.wireName();
            changes.add(new Object[]{utc(heartbeatAt), heartbeats, status, utc(releasedAt),
                    endedAs == null ? null : utc(at), status, ackedStreams, utc(event.leaseExpiresAt()), utc(at),
                    sequence, heartbeats, skewMs, event.tenantId(), event.consumerId(), event.epoch(), firstSequence});
        }

        private static Long skewMs(Instant receivedAt, Instant reportedAt) {
            return reportedAt == null ? null : Duration.between(receivedAt, reportedAt).toMillis();
        }

        /** A claim's row: one epoch of a consumer. */
        private record Row(String tenantId, String consumerId, long epoch) {

            static Row of(ClaimEvent event) {
                return new Row(event.tenantId(), event.consumerId(), event.epoch());
            }
        }

        private static String toJson(List<AckedStream> ackedStreams) {
            try {
                return JSON.writeValueAsString(ackedStreams);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("acked streams cannot be written as JSON", e);
            }
        }
    }
}
