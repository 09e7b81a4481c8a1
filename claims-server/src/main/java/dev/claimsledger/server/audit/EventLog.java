package dev.claimsledger.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.compaction.CompactedRuns;
import dev.claimsledger.compaction.StoredRow;
import dev.claimsledger.core.CanonicalForm;
import dev.claimsledger.core.EventChain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads the event store as stored, for history and audits: no snapshots, no upcasting, the payload bytes as written.
 */
public class EventLog {

    private static final String COLUMNS =
            "global_index, aggregate_identifier, sequence_number, time_stamp, payload_type, payload, meta_data";
    private static final Map<String, Class<? extends ClaimEvent>> EVENT_TYPES = Stream.of(ClaimMaterialized.class,
                    HeartbeatReceived.class, HeartbeatsCompacted.class, ClaimReleased.class, ClaimLeaseExpired.class,
                    ClaimSuperseded.class)
            .collect(Collectors.toUnmodifiableMap(Class::getName, Function.identity()));

    private final JdbcClient jdbc;
    private final ObjectMapper ledgerObjectMapper;
    private final CompactedRuns compactedRuns;

    public EventLog(JdbcTemplate template, ObjectMapper ledgerObjectMapper) {
        this.jdbc = JdbcClient.create(template);
        this.ledgerObjectMapper = ledgerObjectMapper;
        this.compactedRuns = new CompactedRuns(ledgerObjectMapper);
    }

    /** Up to {@code limit} events of one stream with a sequence number above {@code afterSequence}, in order. */
    public List<StoredEvent> stream(String streamId, long afterSequence, int limit) {
        return expanded(jdbc.sql("SELECT " + COLUMNS + " FROM domain_event_entry"
                        + " WHERE aggregate_identifier = :stream AND sequence_number > :after"
                        + " ORDER BY sequence_number LIMIT :limit")
                .param("stream", streamId)
                .param("after", afterSequence)
                .param("limit", limit)
                .query(EventLog::row)
                .list()).stream().filter(event -> event.sequence() > afterSequence).toList();
    }

    /**
     * Every event of every stream, or of one tenant's streams, stream by stream, each in sequence order, without
     * holding them all in memory. The one way the audit reads events.
     *
     * @param in     where to read, e.g. a snapshot's connection in a transaction of its own
     * @param tenant the tenant whose streams are read, or null for all
     */
    public void forEachInStreamOrder(JdbcTemplate in, String tenant, Consumer<StoredEvent> action) {
        if (tenant == null) {
            forEach(in, "", null, action);
        } else {
            forEach(in, " WHERE aggregate_identifier LIKE ? ESCAPE '\\'", likePrefix(ConsumerRef.streamId(tenant, "")),
                    action);
        }
    }

    /** Every event of one stream, in sequence order, read where {@code in} reads. */
    public void forEachOfStream(JdbcTemplate in, String streamId, Consumer<StoredEvent> action) {
        forEach(in, " WHERE aggregate_identifier = ?", streamId, action);
    }

    private void forEach(JdbcTemplate in, String where, String parameter, Consumer<StoredEvent> action) {
        in.query(connection -> {
            // PostgreSQL streams rows with a fetch size only inside a transaction
            connection.setAutoCommit(false);
            var statement = connection.prepareStatement("SELECT " + COLUMNS + " FROM domain_event_entry" + where
                    + " ORDER BY aggregate_identifier, sequence_number");
            if (parameter != null) {
                statement.setString(1, parameter);
            }
            statement.setFetchSize(1000);
            return statement;
        }, (RowCallbackHandler) row -> expanded(List.of(row(row, 0))).forEach(action));
    }

    /** A LIKE pattern for every text that starts with {@code prefix}. */
    private static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    public long count() {
        return jdbc.sql("SELECT count(*) FROM domain_event_entry").query(Long.class).single();
    }

    /** The event's payload as the ledger's own type, or null when the type is not a claim event. */
    public ClaimEvent payload(StoredEvent event) {
        Class<? extends ClaimEvent> type = EVENT_TYPES.get(event.payloadType());
        if (type == null) {
            return null;
        }
        try {
            return ledgerObjectMapper.readValue(event.payload(), type);
        } catch (IOException e) {
            return null;
        }
    }

    /** The payload as plain JSON values (maps, lists, strings, numbers), exactly as stored. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> payloadMap(StoredEvent event) {
        try {
            return ledgerObjectMapper.readValue(event.payload(), LinkedHashMap.class);
        } catch (IOException e) {
            return Map.of("unreadable", new String(event.payload(), StandardCharsets.UTF_8));
        }
    }

    /** The chain hash recorded in the event's metadata, or null. */
    public String recordedChainHash(StoredEvent event) {
        if (event.metaData() == null) {
            return null;
        }
        try {
            JsonNode hash = ledgerObjectMapper.readTree(event.metaData()).get(EventChain.HASH_KEY);
            return hash == null || !hash.isTextual() ? null : hash.asText();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The events as they were stored: a compacted run of heartbeats gives back each of its heartbeats, exactly as it
     * was stored before compaction, so that every reader of the history sees the same events before and after it. A
     * summary whose detail retention dropped stays one event, covering the sequences of its heartbeats.
     */
    private List<StoredEvent> expanded(List<StoredEvent> rows) {
        if (rows.stream().noneMatch(event -> CompactedRuns.isRun(event.payloadType()))) {
            return rows;
        }
        List<StoredEvent> events = new ArrayList<>(rows.size());
        for (StoredEvent row : rows) {
            if (!CompactedRuns.isRun(row.payloadType())) {
                events.add(row);
                continue;
            }
            StoredRow compacted = new StoredRow(row.position(), null, row.streamId(), row.sequence(), null,
                    CanonicalForm.timestamp(row.timestamp()), row.payloadType(), row.payload(), row.metaData());
            for (StoredRow heartbeat : compactedRuns.expandOrKeep(compacted)) {
                // a run kept as the row it is (altered beyond reading) is given back exactly as it was read
                events.add(heartbeat == compacted ? row : new StoredEvent(heartbeat.position(), heartbeat.streamId(),
                        heartbeat.sequence(), Instant.parse(heartbeat.timeStamp()), heartbeat.payloadType(),
                        heartbeat.payload(), heartbeat.metaData()));
            }
        }
        return events;
    }

    private static StoredEvent row(ResultSet row, int rowNumber) throws SQLException {
        return new StoredEvent(row.getLong("global_index"), row.getString("aggregate_identifier"),
                row.getLong("sequence_number"), Instant.parse(row.getString("time_stamp")),
                row.getString("payload_type"), row.getBytes("payload"), row.getBytes("meta_data"));
    }
}
