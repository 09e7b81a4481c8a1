package dev.claimsledger.server.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The whole database as it was at one moment, for reading while writers go on: one connection and one read-only
 * transaction that sees a single snapshot of every table. On PostgreSQL that is {@code REPEATABLE READ}. H2's
 * {@code REPEATABLE READ} takes each table's snapshot when the transaction first reads that table, so two tables
 * could be seen at different moments; its {@code SNAPSHOT} level takes every table's at the first statement.
 */
final class LedgerSnapshot {

    /** H2's own isolation level beyond the JDBC ones ({@code org.h2.engine.Constants.TRANSACTION_SNAPSHOT}). */
    static final int H2_SNAPSHOT = 6;

    private LedgerSnapshot() {
    }

    /** Runs {@code reader} with a template whose every statement reads the same snapshot, then ends it. */
    static <T> T read(DataSource dataSource, Function<JdbcTemplate, T> reader) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setTransactionIsolation(isH2(connection) ? H2_SNAPSHOT : Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            connection.setAutoCommit(false);
            try {
                return reader.apply(new JdbcTemplate(new SingleConnectionDataSource(connection, true)));
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new CannotGetJdbcConnectionException("cannot open a snapshot of the database", e);
        }
    }

    private static boolean isH2(Connection connection) throws SQLException {
        return "H2".equals(connection.getMetaData().getDatabaseProductName());
    }
}
