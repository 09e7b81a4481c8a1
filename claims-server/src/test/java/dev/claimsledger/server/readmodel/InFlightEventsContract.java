package dev.claimsledger.server.readmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.SyntheticClaims;
import dev.claimsledger.server.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A transaction still committing while a later one, whose event is old by its timestamp, has committed: the tracking
 * processors (the read model's and the Merkle log's) must wait for the first, not count its position as a gap that
 * will never be filled. With Axon's default gap timeout of one minute they skipped it for good: the claim never had a
 * row, nor a leaf.
 */
abstract class InFlightEventsContract {

    private static final String TENANT = "in-flight";

    abstract TestDatabase database();

    @Test
    void aTransactionInFlightBesideAnEventStoredLateIsNotSkipped() throws Exception {
        TestDatabase database = database();
        try (ConfigurableApplicationContext ledger = Ledger.start(database, Map.of());
             Connection inFlight = database.connect()) {
            inFlight.setAutoCommit(false);
            // takes the lower position and holds it uncommitted
            SyntheticClaims.appendClaim(inFlight, TENANT, 0, Instant.now());
            try (Connection late = database.connect()) {
                // decided two minutes ago, stored only now
                SyntheticClaims.appendClaim(late, TENANT, 1, Instant.now().minus(Duration.ofMinutes(2)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> rows(database) == 1 && leaves(database) == 1);

            inFlight.commit();

            await().atMost(Duration.ofSeconds(60)).until(() -> rows(database) == 2 && leaves(database) == 2);
            assertThat(count(database, "SELECT count(*) FROM consumer_claims WHERE tenant_id = '" + TENANT
                    + "' AND consumer_id = '" + SyntheticClaims.consumer(0) + "'")).isEqualTo(1);
        }
    }

    private static long rows(TestDatabase database) throws SQLException {
        return count(database, "SELECT count(*) FROM consumer_claims WHERE tenant_id = '" + TENANT + "'");
    }

    private static long leaves(TestDatabase database) throws SQLException {
        return count(database, "SELECT coalesce(max(tree_size), 0) FROM merkle_log_head");
    }

    private static long count(TestDatabase database, String sql) throws SQLException {
        try (Connection connection = database.connect();
             PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
        }
    }
}
