package dev.claimsledger.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.projection.ConsumerClaimsProjection.RowChanges;
import dev.claimsledger.projection.ConsumerClaimsProjection.RowsReplaced;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.api.LeasePolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a rebuild relies on: the projection's own row changes build {@code consumer_claims_rebuild} exactly as the
 * processor builds {@code consumer_claims}; replacing the rows makes {@code consumer_claims} equal to it, writing only
 * the rows that differ; and the events the processor applies again afterwards change nothing.
 */
class ConsumerClaimsRebuildTableTest {

    private ProjectionDatabase database;
    private ConsumerClaimsProjection projection;

    @BeforeEach
    void setUp() {
        database = ProjectionDatabase.migrated();
        projection = new ConsumerClaimsProjection(database.jdbcTemplate());
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    @Test
    void theRebuildTableGetsTheSameRowsAsTheReadModel() {
        ClaimEvents.deliver(projection, ClaimEvents.interleavedHistory());

        rebuild(ClaimEvents.interleavedHistory());

        assertThat(database.table(ConsumerClaimsProjection.REBUILD_TABLE)).hasSize(4)
                .isEqualTo(database.table());
    }

    @Test
    void aRebuildFromCompactedRunsGetsTheRowsTheHeartbeatsGaveOneByOne() {
        // given heartbeats with the worker's reported times, applied one by one
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        List<ClaimEvents.Sequenced> live = new ArrayList<>();
        live.add(ClaimEvents.seq(0, new ClaimMaterialized("acme", "c-1", 1, "https://x.example/c-1", "/s/c-1", null,
                "runner-1", 30_000, LeasePolicy.RENEW_ON_HEARTBEAT, t0, t0.plusSeconds(30))));
        for (int beat = 1; beat <= 3; beat++) {
            Instant at = t0.plusSeconds(beat);
            live.add(ClaimEvents.seq(beat, new HeartbeatReceived("acme", "c-1", 1, at, at.minusMillis(40L * beat),
                    at.plusSeconds(30))));
        }
        ClaimEvents.deliver(projection, live);

        // when the rebuild meets the same heartbeats as one compacted run
        Instant last = t0.plusSeconds(3);
        rebuild(List.of(live.get(0), ClaimEvents.seq(3, new HeartbeatsCompacted("acme", "c-1", 1, 30_000,
                LeasePolicy.RENEW_ON_HEARTBEAT, 1, 3, t0.plusSeconds(30), "hash", last, last.minusMillis(120),
                last.plusSeconds(30), "hb1", new byte[0]))));

        // then it has the same row: every heartbeat counted, the last one's time and skew
        assertThat(database.table(ConsumerClaimsProjection.REBUILD_TABLE)).isEqualTo(database.table());
        assertThat(database.table().get(0)).containsEntry("heartbeat_count", 3L)
                .containsEntry("last_heartbeat_skew_ms", -120L);
    }

    @Test
    void aRebuildWritesAClaimsConsecutiveHeartbeatsAsOneChangeAndGetsTheRowsTheyGaveOneByOne() {
        // given heartbeats of two claims, some with the worker's reported time and the last of each without, and a
        // heartbeat of the first claim after a compacted run of its heartbeats
        Instant t0 = Instant.parse("2026-01-01T00:00:00.5Z");
        List<ClaimEvents.Sequenced> history = new ArrayList<>();
        for (String consumer : List.of("c-1", "c-2")) {
            history.add(ClaimEvents.seq(0, new ClaimMaterialized("acme", consumer, 1, "https://x.example/" + consumer,
                    "/s/" + consumer, null, "runner-1", 30_000, LeasePolicy.RENEW_ON_HEARTBEAT, t0,
                    t0.plusSeconds(30))));
        }
        for (int beat = 1; beat <= 50; beat++) {
            for (String consumer : List.of("c-1", "c-2")) {
                Instant at = t0.plusMillis(100L * beat);
                history.add(ClaimEvents.seq(beat, new HeartbeatReceived("acme", consumer, 1, at,
                        beat == 50 ? null : at.minusMillis(beat), at.plusSeconds(30))));
            }
        }
        Instant runEnd = t0.plusSeconds(60);
        history.add(ClaimEvents.seq(52, new HeartbeatsCompacted("acme", "c-1", 1, 30_000,
                LeasePolicy.RENEW_ON_HEARTBEAT, 51, 2, t0.plusSeconds(35), "hash", runEnd, runEnd.minusMillis(7),
                runEnd.plusSeconds(30), "hb1", new byte[0])));
        Instant after = runEnd.plusSeconds(1);
        history.add(ClaimEvents.seq(53, new HeartbeatReceived("acme", "c-1", 1, after, after.minusMillis(3),
                after.plusSeconds(30))));
        ClaimEvents.deliver(projection, history);

        RowChanges changes = ConsumerClaimsProjection.rebuildChanges();
        history.forEach(event -> changes.add(event.event(), event.sequence()));

        // then two inserts, each claim's 50 heartbeats as one change, the run and the heartbeat after it
        assertThat(changes.size()).isEqualTo(6);
        changes.writeTo(database.jdbcTemplate());
        assertThat(database.table(ConsumerClaimsProjection.REBUILD_TABLE)).isEqualTo(database.table());
        assertThat(database.table()).extracting(row -> row.get("heartbeat_count")).containsExactly(53L, 50L);
    }

    @Test
    void replacingTheRowsMakesTheReadModelEqualTheRebuiltOneAndWritesOnlyRowsThatDiffer() {
        ClaimEvents.deliver(projection, ClaimEvents.interleavedHistory());
        rebuild(ClaimEvents.interleavedHistory());
        List<Map<String, Object>> rebuilt = database.table(ConsumerClaimsProjection.REBUILD_TABLE);
        database.jdbc().sql("DELETE FROM consumer_claims WHERE consumer_id = 'c-2'").update();
        database.jdbc().sql("UPDATE consumer_claims SET heartbeat_count = 99 WHERE consumer_id = 'c-3'").update();
        database.jdbc().sql("INSERT INTO consumer_claims SELECT 'acme', 'ghost', epoch, wake_id, entity_url,"
                + " stream_path, runner_id, status, claimed_at, last_heartbeat_at, lease_expires_at, released_at,"
                + " acked_streams, updated_at, lease_ttl_ms, lease_policy, heartbeat_count, ended_at, end_reason,"
                + " last_event_sequence, last_heartbeat_skew_ms FROM consumer_claims"
                + " WHERE consumer_id = 'c-1' AND epoch = 1").update();

        RowsReplaced replaced = ConsumerClaimsProjection.replaceRows(database.jdbcTemplate(),
                ConsumerClaimsProjection.REBUILD_TABLE);

        assertThat(database.table()).isEqualTo(rebuilt);
        assertThat(replaced).as("the edited row and the ghost deleted; the edited and the deleted row inserted")
                .isEqualTo(new RowsReplaced(2, 2));
    }

    @Test
    void eventsAppliedAgainAfterTheSwitchChangeNothing() {
        rebuild(ClaimEvents.interleavedHistory());
        ConsumerClaimsProjection.replaceRows(database.jdbcTemplate(), ConsumerClaimsProjection.REBUILD_TABLE);
        List<Map<String, Object>> switched = database.table();

        ClaimEvents.deliver(projection, ClaimEvents.interleavedHistory());

        assertThat(database.table()).isEqualTo(switched);
    }

    @Test
    void onlyTheReadModelsOwnTablesCanBeWritten() {
        assertThatThrownBy(() -> ConsumerClaimsProjection.changesTo("domain_event_entry"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConsumerClaimsProjection.replaceRows(database.jdbcTemplate(), "token_entry"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private void rebuild(List<ClaimEvents.Sequenced> history) {
        RowChanges changes = ConsumerClaimsProjection.rebuildChanges();
        history.forEach(event -> changes.add(event.event(), event.sequence()));
        changes.writeTo(database.jdbcTemplate());
    }
}
