package dev.claimsledger.projection;

import java.sql.Clob;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A fresh in-memory H2 database in PostgreSQL mode, configured as production configures H2, with the schema made by
 * the real Flyway migrations. Rows are read back raw (every column, by its SQL name) so that tests of the projection
 * do not go through the query handlers they would otherwise also be testing.
 *
 * <p>Statements run each on a new connection (a new H2 session), as they would from a pool. The connection Flyway
 * migrated on stays open until {@link #close()}, as a pooled connection does for a while: H2 2.4.240 evaluates the
 * {@code CHECK (status IN (...))} of {@code consumer_claims} through the session that created it, and once that
 * session is closed every insert and update of the table fails (h2database issues 4292, 4302, 4308; see
 * {@link ConsumerClaimsMigrationTest}).
 */
final class ProjectionDatabase implements AutoCloseable {

    private final SingleConnectionDataSource migratingConnection;
    private final JdbcTemplate template;
    private final JdbcClient jdbc;

    private ProjectionDatabase(SingleConnectionDataSource migratingConnection, DataSource dataSource) {
        this.migratingConnection = migratingConnection;
        this.template = new JdbcTemplate(dataSource);
        this.jdbc = JdbcClient.create(template);
    }

    /** Migrated on a connection that stays open while the tests run. */
    static ProjectionDatabase migrated() {
        String url = uniqueUrl();
        SingleConnectionDataSource migratingConnection = new SingleConnectionDataSource(url, "sa", "", true);
        migrate(migratingConnection);
        return new ProjectionDatabase(migratingConnection, new DriverManagerDataSource(url, "sa", ""));
    }

    /** Migrated on a connection that is closed as soon as Flyway is done, as a pool eventually closes it. */
    static ProjectionDatabase migratedOnAConnectionClosedAfterwards() {
        String url = uniqueUrl();
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, "sa", "");
        migrate(dataSource);
        return new ProjectionDatabase(null, dataSource);
    }

    JdbcTemplate jdbcTemplate() {
        return template;
    }

    private static String uniqueUrl() {
        return "jdbc:h2:mem:consumer-claims-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
    }

    private static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    JdbcClient jdbc() {
        return jdbc;
    }

    /** Every column of one row of {@code consumer_claims}; timestamps as {@link java.time.Instant}s. */
    Optional<Map<String, Object>> findRow(String tenantId, String consumerId, long epoch) {
        return jdbc.sql("SELECT * FROM consumer_claims WHERE tenant_id = :tenant AND consumer_id = :consumer"
                        + " AND epoch = :epoch")
                .param("tenant", tenantId)
                .param("consumer", consumerId)
                .param("epoch", epoch)
                .query(ProjectionDatabase::readRow)
                .optional();
    }

    Map<String, Object> row(String tenantId, String consumerId, long epoch) {
        return findRow(tenantId, consumerId, epoch).orElseThrow(
                () -> new AssertionError("no consumer_claims row for " + tenantId + "/" + consumerId + "#" + epoch));
    }

    /** The whole table, in primary-key order. */
    List<Map<String, Object>> table() {
        return table(ConsumerClaimsProjection.TABLE);
    }

    /** The whole of {@code consumer_claims} or a table of the same shape, in primary-key order. */
    List<Map<String, Object>> table(String name) {
        return jdbc.sql("SELECT * FROM " + name + " ORDER BY tenant_id, consumer_id, epoch")
                .query(ProjectionDatabase::readRow)
                .list();
    }

    @Override
    public void close() {
        if (migratingConnection != null) {
            migratingConnection.destroy();
        }
        jdbc.sql("SHUTDOWN").update();
    }

    private static Map<String, Object> readRow(ResultSet row, int rowNumber) throws SQLException {
        ResultSetMetaData meta = row.getMetaData();
        Map<String, Object> columns = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            Object value = row.getObject(i);
            if (value instanceof OffsetDateTime time) {
                value = time.toInstant();
            } else if (value instanceof Clob text) {
                value = text.getSubString(1, (int) text.length());
            }
            columns.put(meta.getColumnLabel(i), value);
        }
        return columns;
    }

    /** Column values by name, for an expected row; values may be null. */
    static Map<String, Object> columns(Object... namesAndValues) {
        Map<String, Object> columns = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            columns.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return columns;
    }

    /** {@code row} with the named columns set to new values; every other column as it was. */
    static Map<String, Object> changed(Map<String, Object> row, Object... namesAndValues) {
        Map<String, Object> copy = new LinkedHashMap<>(row);
        columns(namesAndValues).forEach((name, value) -> {
            if (!copy.containsKey(name)) {
                throw new IllegalArgumentException("consumer_claims has no column " + name);
            }
            copy.put(name, value);
        });
        return copy;
    }

    /** {@code row} without the named columns. */
    static Map<String, Object> without(Map<String, Object> row, String... names) {
        Map<String, Object> copy = new LinkedHashMap<>(row);
        for (String name : names) {
            if (!copy.containsKey(name)) {
                throw new IllegalArgumentException("consumer_claims has no column " + name);
            }
            copy.remove(name);
        }
        return copy;
    }
}
