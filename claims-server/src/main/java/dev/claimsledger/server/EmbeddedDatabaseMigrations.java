package dev.claimsledger.server;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.Location;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * On H2, Flyway runs the migrations of {@value #LOCATION} too, after those every database shares: settings of the
 * embedded database that PostgreSQL has no use for or would read otherwise.
 */
@Configuration(proxyBeanMethods = false)
class EmbeddedDatabaseMigrations {

    static final String LOCATION = "classpath:db/h2";

    @Bean
    FlywayConfigurationCustomizer h2MigrationLocation() {
        return configuration -> {
            if (isH2(configuration.getDataSource())) {
                List<Location> locations = new ArrayList<>(List.of(configuration.getLocations()));
                locations.add(new Location(LOCATION));
                configuration.locations(locations.toArray(Location[]::new));
            }
        };
    }

    static boolean isH2(DataSource dataSource) {
        return "H2".equals(databaseProduct(dataSource));
    }

    /** The database's product name as its driver gives it: {@code H2} or {@code PostgreSQL} for the ledger. */
    static String databaseProduct(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database the ledger runs on", e);
        }
    }
}
