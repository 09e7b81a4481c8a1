package dev.claimsledger.server;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Checks at start-up that the database keeps what it acknowledges, because a 2xx is sent once a commit returns:
 * <ul>
 * <li>H2 keeps commits in memory for up to its {@code WRITE_DELAY} (500 ms unless the URL says otherwise) before
 * writing them to its file, so a killed process loses commands already acknowledged. The ledger refuses to start on
 * H2 unless the delay is 0.</li>
 * <li>PostgreSQL with {@code fsync} or {@code synchronous_commit} off may lose acknowledged commits on a crash of the
 * machine; that is the operator's choice, and the ledger says so in a warning.</li>
 * </ul>
 */
@Component
class DurabilityCheck implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(DurabilityCheck.class);

    private final DataSource dataSource;

    DurabilityCheck(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void afterPropertiesSet() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData database = connection.getMetaData();
            String product = database.getDatabaseProductName();
            if ("H2".equals(product)) {
                requireNoWriteDelay(connection);
            } else if ("PostgreSQL".equals(product)) {
                warnUnlessSynchronous(connection);
            }
        }
    }

    private static void requireNoWriteDelay(Connection connection) throws SQLException {
        List<String> delays = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                     + " WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            while (rows.next()) {
                delays.add(rows.getString(1));
            }
        }
        if (delays.isEmpty() || delays.stream().anyMatch(delay -> !"0".equals(delay))) {
            throw new IllegalStateException("H2's WRITE_DELAY is " + delays + " ms: commands acknowledged within that "
                    + "time would be lost when the process is killed. Add ;WRITE_DELAY=0 to spring.datasource.url.");
        }
    }

    private static void warnUnlessSynchronous(Connection connection) throws SQLException {
        for (String setting : List.of("fsync", "synchronous_commit")) {
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SHOW " + setting)) {
                if (rows.next() && "off".equalsIgnoreCase(rows.getString(1))) {
                    log.warn("PostgreSQL runs with {} = off: commands the ledger acknowledged may be lost if the "
                            + "database's machine crashes or loses power", setting);
                }
            }
        }
    }
}
