package dev.claimsledger.core;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Which database the ledger's tables live in, where a statement depends on it. */
final class Databases {

    private Databases() {
    }

    /** Asked once, when a component that depends on it is made. */
    static boolean isPostgres(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database the ledger's tables live in", e);
        }
    }
}
