package dev.claimsledger.projection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimPage;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.FindClaim;
import dev.claimsledger.api.FindClaims;
import dev.claimsledger.api.FindRunnerHealth;
import dev.claimsledger.api.FindRunners;
import dev.claimsledger.api.FindTenants;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.RunnerHealth;
import dev.claimsledger.api.RunnerPage;
import dev.claimsledger.api.RunnerSummary;
import dev.claimsledger.api.TenantPage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Answers the read-model queries from {@code consumer_claims}.
 */
@Component
public class ConsumerClaimsQueries {

    private static final String COLUMNS = """
            tenant_id, consumer_id, epoch, wake_id, entity_url, stream_path, runner_id, status, claimed_at,
            last_heartbeat_at, lease_expires_at, released_at, acked_streams, updated_at, lease_ttl_ms, lease_policy,
            heartbeat_count, ended_at, end_reason
            """;
    private static final TypeReference<List<AckedStream>> ACKED_STREAMS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final ObjectMapper json = new ObjectMapper();

    public ConsumerClaimsQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @QueryHandler
    public Optional<ClaimState> handle(FindClaim query) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM consumer_claims"
                        + " WHERE tenant_id = :tenant AND consumer_id = :consumer AND epoch = :epoch")
                .param("tenant", query.tenantId())
                .param("consumer", query.consumerId())
                .param("epoch", query.epoch())
                .query(this::claim)
                .optional();
    }

    @QueryHandler
    public ClaimPage handle(FindClaims query) {
        if (query.limit() < 1) {
            throw new IllegalArgumentException("a page holds at least one claim, limit was " + query.limit());
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM consumer_claims WHERE tenant_id = :tenant");
        if (query.status() != null) {
            sql.append(" AND status = :status");
        }
        if (query.runnerId() != null) {
            sql.append(" AND runner_id = :runner");
        }
        if (query.entityUrl() != null) {
            sql.append(" AND entity_url = :entity");
        }
        if (query.consumerId() != null) {
            sql.append(" AND consumer_id = :consumer");
        }
        ClaimCursor after = query.cursor() == null ? null : ClaimCursor.decode(query.cursor());
        if (after != null) {
            sql.append(" AND (consumer_id > :afterConsumer OR (consumer_id = :afterConsumer AND epoch > :afterEpoch))");
        }
        sql.append(" ORDER BY consumer_id, epoch LIMIT :limit");
        JdbcClient.StatementSpec statement = jdbc.sql(sql.toString())
                .param("tenant", query.tenantId())
                .param("limit", query.limit() + 1);
        if (query.status() != null) {
            statement = statement.param("status", query.status().wireName());
        }
        if (query.runnerId() != null) {
            statement = statement.param("runner", query.runnerId());
        }
        if (query.entityUrl() != null) {
            statement = statement.param("entity", query.entityUrl());
        }
        if (query.consumerId() != null) {
            statement = statement.param("consumer", query.consumerId());
        }
        if (after != null) {
            statement = statement.param("afterConsumer", after.consumerId()).param("afterEpoch", after.epoch());
        }
        List<ClaimState> rows = statement.query(this::claim).list();
        if (rows.size() <= query.limit()) {
            return new ClaimPage(rows, null);
        }
        List<ClaimState> page = rows.subList(0, query.limit());
        ClaimState last = page.get(page.size() - 1);
        return new ClaimPage(page, new ClaimCursor(last.consumerId(), last.epoch()).encode());
    }

    @QueryHandler
    public RunnerHealth handle(FindRunnerHealth query) {
        List<ClaimState> active = jdbc.sql("SELECT " + COLUMNS + " FROM consumer_claims"
                        + " WHERE tenant_id = :tenant AND runner_id = :runner AND status = 'active'"
                        + " ORDER BY consumer_id, epoch")
                .param("tenant", query.tenantId())
                .param("runner", query.runnerId())
                .query(this::claim)
                .list();
        return new RunnerHealth(query.runnerId(), active.size(), active);
    }

    /**
     * The runners of a tenant's active claims, grouped in runner order: one range of the status-and-runner index, read
     * only as far as the page's runners go.
     */
    @QueryHandler
    public RunnerPage handle(FindRunners query) {
        if (query.limit() < 1) {
            throw new IllegalArgumentException("a page holds at least one runner, limit was " + query.limit());
        }
        IdCursor after = query.cursor() == null ? null : IdCursor.decode(query.cursor());
        List<RunnerSummary> rows = jdbc.sql("""
                        SELECT runner_id, count(*) AS active_count, max(last_heartbeat_at) AS last_heartbeat_at,
                               count(last_heartbeat_skew_ms) AS skew_samples, min(last_heartbeat_skew_ms) AS skew_min,
                               max(last_heartbeat_skew_ms) AS skew_max, avg(last_heartbeat_skew_ms) AS skew_mean
                        FROM consumer_claims
                        WHERE tenant_id = :tenant AND status = 'active' AND runner_id > :after
                        GROUP BY runner_id ORDER BY runner_id LIMIT :limit
                        """)
                .param("tenant", query.tenantId())
                .param("after", after == null ? "" : after.id())
                .param("limit", query.limit() + 1)
                .query(ConsumerClaimsQueries::runner)
                .list();
        if (rows.size() <= query.limit()) {
            return new RunnerPage(rows, null);
        }
        List<RunnerSummary> page = rows.subList(0, query.limit());
        return new RunnerPage(page, new IdCursor(page.get(page.size() - 1).runnerId()).encode());
    }

    /**
     * The tenants that have claims, in id order. Each is found by one probe of the primary key for the next tenant
     * after the last, so a page costs as many probes as it has tenants however many claims each holds.
     */
    @QueryHandler
    public TenantPage handle(FindTenants query) {
        if (query.limit() < 1) {
            throw new IllegalArgumentException("a page holds at least one tenant, limit was " + query.limit());
        }
        List<String> tenants = new ArrayList<>();
        String last = query.cursor() == null ? "" : IdCursor.decode(query.cursor()).id();
        while (tenants.size() <= query.limit()) {
            Optional<String> next = jdbc.sql("SELECT tenant_id FROM consumer_claims WHERE tenant_id > :after"
                            + " ORDER BY tenant_id LIMIT 1")
                    .param("after", last)
                    .query(String.class)
                    .optional();
            if (next.isEmpty()) {
                return new TenantPage(tenants, null);
            }
            last = next.get();
            tenants.add(last);
        }
        List<String> page = tenants.subList(0, query.limit());
        return new TenantPage(page, new IdCursor(page.get(page.size() - 1)).encode());
    }

    private static RunnerSummary runner(ResultSet row, int rowNumber) throws SQLException {
        long samples = row.getLong("skew_samples");
        return new RunnerSummary(row.getString("runner_id"), row.getLong("active_count"),
                instant(row, "last_heartbeat_at"), samples,
                samples == 0 ? null : row.getLong("skew_min"), samples == 0 ? null : row.getLong("skew_max"),
                samples == 0 ? null : Math.round(row.getDouble("skew_mean")));
    }

    private ClaimState claim(ResultSet row, int rowNumber) throws SQLException {
        return new ClaimState(row.getString("tenant_id"), row.getString("consumer_id"), row.getLong("epoch"),
                row.getString("entity_url"), row.getString("stream_path"), row.getString("wake_id"),
                row.getString("runner_id"), ClaimStatus.valueOf(row.getString("status").toUpperCase(Locale.ROOT)),
                instant(row, "claimed_at"), instant(row, "last_heartbeat_at"), instant(row, "lease_expires_at"),
                row.getLong("lease_ttl_ms"), LeasePolicy.valueOf(row.getString("lease_policy").toUpperCase(Locale.ROOT)),
                instant(row, "released_at"), instant(row, "ended_at"), row.getString("end_reason"),
                ackedStreams(row.getString("acked_streams")), row.getLong("heartbeat_count"), instant(row, "updated_at"));
    }

    private List<AckedStream> ackedStreams(String stored) {
        try {
            return json.readValue(stored, ACKED_STREAMS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("consumer_claims.acked_streams is not valid JSON: " + stored, e);
        }
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
