package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.statements.JdbcEventStorageEngineStatements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** How the embedded database stores the events, and how it reads those after a position with gaps. */
class EventStoreOnH2Test {

    private static final EventSchema SCHEMA = new AxonStorageConfiguration().eventSchema();

    @TempDir
    Path dataDir;

    @Test
    void onH2TheEventPositionsComeFromACacheOf4096() throws SQLException {
        TestDatabase database = TestDatabase.freshH2(dataDir);
        try (ConfigurableApplicationContext ledger = Ledger.start(database)) {
            try (Connection connection = ledger.getBean(javax.sql.DataSource.class).getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet cache = statement.executeQuery("SELECT identity_cache FROM information_schema.columns"
                         + " WHERE table_name = 'domain_event_entry' AND column_name = 'global_index'")) {
                assertThat(cache.next()).isTrue();
                assertThat(cache.getLong(1)).isEqualTo(4096);
            }
        }
    }

    @Test
    void theReadOfAPositionWithGapsGivesAxonsRowsFromThePrimaryKeyWithoutScanningTheTable() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:gaps;MODE=PostgreSQL;"
                + "DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", "")) {
            // given an event table holding positions 1 to 100 but 5, 42 and 64
            createEventTable(connection);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO domain_event_entry (global_index,"
                    + " event_identifier, aggregate_identifier, sequence_number, type, time_stamp, payload_type,"
                    + " payload) VALUES (?, ?, 'stream', ?, 'Claim', '2026-01-01T00:00:00Z', 'Event', X'7b7d')")) {
                for (long position = 1; position <= 100; position++) {
                    if (position != 5 && position != 42 && position != 64) {
                        insert.setLong(1, position);
                        insert.setString(2, "event-" + position);
                        insert.setLong(3, position);
                        insert.addBatch();
                    }
                }
                insert.executeBatch();
            }
            List<Long> gaps = List.of(3L, 5L, 17L, 42L);

            // when the events after position 60 are read, 10 at most, with gaps at 3, 5, 17 and 42
            List<Long> read = positions(new GapReadOnH2().build(connection, SCHEMA, 60, 10, gaps));

            // then they are the rows Axon's own statement reads, in order
            assertThat(read).containsExactly(3L, 17L, 61L, 62L, 63L, 65L, 66L, 67L, 68L, 69L, 70L)
                    .isEqualTo(positions(JdbcEventStorageEngineStatements.readEventDataWithGaps(connection, SCHEMA, 60,
                            10, gaps)));
            // found by their positions in the primary key, where Axon's statement walks the whole key
            assertThat(plan(connection, GapReadOnH2.sql(SCHEMA, gaps.size()), gaps))
                    .contains("/* public.PRIMARY_KEY_E: global_index > ?1",
                            "/* public.PRIMARY_KEY_E: global_index IN(?3, ?4, ?5, ?6) */")
                    .doesNotContain("/* public.PRIMARY_KEY_E */", "tableScan");
            assertThat(plan(connection, "SELECT " + SCHEMA.trackedEventFields() + " FROM domain_event_entry WHERE"
                    + " (global_index > ? AND global_index <= ?) OR global_index IN (?, ?, ?, ?) ORDER BY global_index",
                    gaps)).as("H2 walks the whole key for Axon's statement; if it no longer does, GapReadOnH2 can go")
                    .contains("/* public.PRIMARY_KEY_E */");
        }
    }

    private static void createEventTable(Connection connection) throws IOException, SQLException {
        String script;
        try (InputStream migration = EventStoreOnH2Test.class.getResourceAsStream(
                "/db/migration/V1__axon_event_store.sql")) {
            script = new String(migration.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.strip().startsWith("--")).collect(Collectors.joining("\n"));
        }
        try (Statement statement = connection.createStatement()) {
            for (String ddl : script.split(";")) {
                if (!ddl.isBlank()) {
                    statement.execute(ddl);
                }
            }
        }
    }

    private static List<Long> positions(PreparedStatement statement) throws SQLException {
        List<Long> positions = new ArrayList<>();
        try (statement; ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                positions.add(rows.getLong(SCHEMA.globalIndexColumn()));
            }
        }
        return positions;
    }

    private static String plan(Connection connection, String sql, List<Long> gaps) throws SQLException {
        try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql)) {
            explain.setLong(1, 60);
            explain.setLong(2, 70);
            for (int i = 0; i < gaps.size(); i++) {
                explain.setLong(i + 3, gaps.get(i));
            }
            try (ResultSet plan = explain.executeQuery()) {
                assertThat(plan.next()).isTrue();
                return plan.getString(1);
            }
        }
    }
}
