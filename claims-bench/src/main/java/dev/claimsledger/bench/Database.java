package dev.claimsledger.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's own reads of the ledger's database (the read model, the deadlines, the event store) and the
 * baseline's table, over plain JDBC.
 */
final class Database {

    private final Options options;

    Database(Options options) {
        this.options = options;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(options.jdbcUrl(), options.jdbcUser(), options.jdbcPassword());
    }

    void execute(String... statements) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** The first column of the first row, as a number. */
    long number(String sql, Object... parameters) throws SQLException {
        List<Double> values = numbers(sql, parameters);
        return values.isEmpty() ? 0 : values.get(0).longValue();
    }

    /** The first column of every row, as numbers. */
    List<Double> numbers(String sql, Object... parameters) throws SQLException {
        List<Double> values = new ArrayList<>();
        try (Connection connection = connect(); PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getDouble(1));
                }
            }
        }
        return values;
    }

    /** Lease watchdogs waiting in {@code lease_deadlines}: one per claim whose lease has not ended. */
    long pendingDeadlines() throws SQLException {
        return number("SELECT count(*) FROM lease_deadlines");
    }
}
