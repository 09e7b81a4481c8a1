package dev.claimsledger.server.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Where an integration test keeps the ledger's data, as Spring properties. PostgreSQL tests each get a schema of their
 * own in the database named by {@code CLAIMS_TEST_DB_URL}, so they never see each other's events.
 */
public record TestDatabase(String description, Map<String, Object> properties, String jdbcUrl, String user,
                           String password) {

    public static final String URL_VARIABLE = "CLAIMS_TEST_DB_URL";
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/claims_test";

    public static String postgresUrl() {
        return env(URL_VARIABLE, DEFAULT_URL);
    }

    public static String postgresUser() {
        return env("CLAIMS_TEST_DB_USER", "claims");
    }

    public static String postgresPassword() {
        return env("CLAIMS_TEST_DB_PASSWORD", "claims");
    }

    /** A fresh, empty schema in the test PostgreSQL database. */
    public static TestDatabase freshPostgresSchema() {
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String base = postgresUrl();
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.url", url);
        properties.put("spring.datasource.username", postgresUser());
        properties.put("spring.datasource.password", postgresPassword());
        properties.put("spring.flyway.schemas", schema);
        properties.put("spring.flyway.create-schemas", true);
        return new TestDatabase("PostgreSQL schema " + schema, Map.copyOf(properties), url, postgresUser(),
                postgresPassword());
    }

    /** A fresh embedded H2 file database under {@code dataDir}, through the default settings. */
    public static TestDatabase freshH2(Path dataDir) {
        String url = "jdbc:h2:file:" + dataDir.resolve("claims-ledger")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        return new TestDatabase("H2 file database in " + dataDir,
                Map.of("claims.data-dir", dataDir.toString()), url, "sa", "");
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
