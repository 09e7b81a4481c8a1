package dev.claimsledger.server.readmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.projection.ConsumerClaimsProjection;
import dev.claimsledger.projection.ConsumerClaimsProjection.RowChanges;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * On PostgreSQL the read model's row changes are applied as arrays, several rows per statement, and a row at most once
 * per statement: a batch holding several changes of the same rows must leave the rows that writing each change on its
 * own leaves, and store times as the JDBC driver stores them.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadModelChangesOnPostgresTest {

    private static final String TENANT = "row-changes";
    private static final Instant CLAIMED = Instant.parse("2026-03-01T10:00:00.000002500Z");
    private static final Duration TTL = Duration.ofSeconds(30);

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private ConfigurableApplicationContext ledger;
    private JdbcTemplate jdbc;

    @BeforeAll
    void start() {
        ledger = Ledger.start(database);
        jdbc = ledger.getBean(JdbcTemplate.class);
    }

    @AfterAll
    void stop() {
        ledger.close();
    }

    @Test
    void aBatchWithSeveralChangesOfTheSameRowsLeavesTheRowsThatOneChangeAtATimeLeaves() {
        // given the events of three claims, interleaved, with a heartbeat delivered again after its claim ended
        List<Sequenced> events = new ArrayList<>();
        events.add(new Sequenced(0, claimed("a")));
        events.add(new Sequenced(0, claimed("b")));
        events.add(new Sequenced(1, heartbeat("a", 1, null)));
        events.add(new Sequenced(0, claimed("c")));
        events.add(new Sequenced(1, heartbeat("b", 1, 40L)));
        events.add(new Sequenced(2, heartbeat("a", 2, -15L)));
        events.add(new Sequenced(1, heartbeat("c", 1, 7L)));
        events.add(new Sequenced(3, heartbeat("a", 3, null)));
        events.add(new Sequenced(2, heartbeat("b", 2, null)));
        events.add(new Sequenced(4, new ClaimReleased(TENANT, "a", 1, CLAIMED.plusSeconds(4), List.of(),
                CLAIMED.plusSeconds(4))));
        events.add(new Sequenced(3, new ClaimLeaseExpired(TENANT, "b", 1, CLAIMED.plus(TTL).plusSeconds(2),
                CLAIMED.plus(TTL).plusSeconds(2))));
        events.add(new Sequenced(2, heartbeat("a", 2, -15L)));

        // when they are written in one batch to the read model, and one at a time to the table a rebuild fills
        RowChanges together = ConsumerClaimsProjection.changesTo(ConsumerClaimsProjection.TABLE);
        events.forEach(event -> together.add(event.event(), event.sequence()));
        together.writeTo(jdbc);
        for (Sequenced event : events) {
            RowChanges alone = ConsumerClaimsProjection.changesTo(ConsumerClaimsProjection.REBUILD_TABLE);
            alone.add(event.event(), event.sequence());
            alone.writeTo(jdbc);
        }

        // then both tables hold the same rows, each with every change applied once, in order
        List<Map<String, Object>> rows = rows(ConsumerClaimsProjection.TABLE);
        assertThat(rows).isEqualTo(rows(ConsumerClaimsProjection.REBUILD_TABLE));
        assertThat(rows).extracting(row -> row.get("consumer_id"), row -> row.get("status"),
                        row -> row.get("heartbeat_count"), row -> row.get("last_event_sequence"),
                        row -> row.get("last_heartbeat_skew_ms"))
                .containsExactly(
                        tuple("a", "released", 3L, 4L, null),
                        tuple("b", "expired", 2L, 3L, null),
                        tuple("c", "active", 1L, 1L, 7L));
        Map<String, Object> a = rows.get(0);
        assertThat(a.get("last_heartbeat_at")).isEqualTo(at(CLAIMED.plusSeconds(3)));
        assertThat(a.get("released_at")).isEqualTo(at(CLAIMED.plusSeconds(4)));
        assertThat(a.get("ended_at")).isEqualTo(at(CLAIMED.plusSeconds(4)));
    }

    @Test
    void aTimeInAChangeIsRoundedToMicrosecondsAsTheDriverRoundsTheClaimTime() {
        // given a claim and a heartbeat received at the same instant, half a microsecond past a whole one
        RowChanges changes = ConsumerClaimsProjection.changesTo(ConsumerClaimsProjection.TABLE);
        changes.add(claimed("same-time"), 0);
        changes.add(new HeartbeatReceived(TENANT, "same-time", 1, CLAIMED, null, CLAIMED.plus(TTL)), 1);

        // when the claim is inserted with the time as a parameter and the heartbeat applied from an array of text
        changes.writeTo(jdbc);

        // then both columns hold the same microsecond, 2.5 rounded up to 3
        Map<String, Object> row = jdbc.queryForMap("SELECT claimed_at, last_heartbeat_at FROM "
                + ConsumerClaimsProjection.TABLE + " WHERE tenant_id = ? AND consumer_id = ?", TENANT, "same-time");
        assertThat(row.get("last_heartbeat_at")).isEqualTo(row.get("claimed_at"));
        assertThat(jdbc.queryForObject("SELECT to_char(last_heartbeat_at AT TIME ZONE 'UTC', 'US') FROM "
                + ConsumerClaimsProjection.TABLE + " WHERE tenant_id = ? AND consumer_id = ?", String.class, TENANT,
                "same-time")).isEqualTo("000003");
    }

    private List<Map<String, Object>> rows(String table) {
        return jdbc.queryForList("SELECT * FROM " + table + " WHERE tenant_id = ? AND consumer_id IN ('a', 'b', 'c')"
                + " ORDER BY consumer_id", TENANT);
    }

    private static ClaimMaterialized claimed(String consumer) {
        return new ClaimMaterialized(TENANT, consumer, 1, "https://entities.example/" + consumer, "/streams/" + consumer,
                null, "runner-1", TTL.toMillis(), LeasePolicy.RENEW_ON_HEARTBEAT, CLAIMED, CLAIMED.plus(TTL));
    }

    private static HeartbeatReceived heartbeat(String consumer, int second, Long skewMs) {
        Instant received = CLAIMED.plusSeconds(second);
        return new HeartbeatReceived(TENANT, consumer, 1, received, skewMs == null ? null : received.plusMillis(skewMs),
                received.plus(TTL));
    }

    /** The time as the read model holds it: to the microsecond, rounded half up. */
    private static Object at(Instant instant) {
        return Timestamp.from(instant.plusNanos(500).truncatedTo(ChronoUnit.MICROS));
    }

    private record Sequenced(long sequence, Object event) {
    }
}
