package dev.claimsledger.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.projection.ConsumerClaimsProjection.RowChanges;
import dev.claimsledger.projection.ConsumerClaimsProjection.RowsReplaced;
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
    void replacingTheRowsMakesTheReadModelEqualTheRebuiltOneAndWritesOnlyRowsThatDiffer() {
        ClaimEvents.deliver(projection, ClaimEvents.interleavedHistory());
        rebuild(ClaimEvents.interleavedHistory());
        List<Map<String, Object>> rebuilt = database.table(ConsumerClaimsProjection.REBUILD_TABLE);
        database.jdbc().sql("DELETE FROM consumer_claims WHERE consumer_id = 'c-2'").update();
        database.jdbc().sql("UPDATE consumer_claims SET heartbeat_count = 99 WHERE consumer_id = 'c-3'").update();
        database.jdbc().sql("INSERT INTO consumer_claims SELECT 'acme', 'ghost', epoch, wake_id, entity_url,"
                + " stream_path, runner_id, status, claimed_at, last_heartbeat_at, lease_expires_at, released_at,"
                + " acked_streams, updated_at, lease_ttl_ms, lease_policy, heartbeat_count, ended_at, end_reason,"
                + " last_event_sequence FROM consumer_claims WHERE consumer_id = 'c-1' AND epoch = 1").update();

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
        RowChanges changes = ConsumerClaimsProjection.changesTo(ConsumerClaimsProjection.REBUILD_TABLE);
        history.forEach(event -> changes.add(event.event(), event.sequence()));
        changes.writeTo(database.jdbcTemplate());
    }
}
