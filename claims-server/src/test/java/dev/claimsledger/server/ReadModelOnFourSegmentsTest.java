package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.FindClaim;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.projection.ConsumerClaimsProjection;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.async.SequentialPerAggregatePolicy;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Earlier versions ran the read model on a pooled processor with 4 segments. A database they made keeps those 4
 * segments in {@code token_entry}; the tracking processor that replaced it must still apply every segment's events,
 * which it does only with a thread for each. A new database starts with one segment.
 */
class ReadModelOnFourSegmentsTest {

    private static final int CONSUMERS = 16;

    @TempDir
    Path dataDir;

    @Test
    void everyClaimReachesTheReadModelOfADatabaseMadeWithFourSegments() throws Exception {
        TestDatabase database = TestDatabase.freshH2(dataDir);
        Map<String, Object> fourSegments = Map.of(
                "axon.eventhandling.processors.consumer-claims.initial-segment-count", 4);
        try (ConfigurableApplicationContext earlier = Ledger.start(database, fourSegments)) {
            earlier.getBean(CommandGateway.class).sendAndWait(claim("before-the-upgrade"));
        }
        assertThat(segments(database)).as("segments made by the first start").isEqualTo(4);

        try (ConfigurableApplicationContext upgraded = Ledger.start(database)) {
            CommandGateway commands = upgraded.getBean(CommandGateway.class);
            for (int c = 0; c < CONSUMERS; c++) {
                commands.sendAndWait(claim("after-the-upgrade-" + c));
            }
            QueryGateway queries = upgraded.getBean(QueryGateway.class);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                for (int c = 0; c < CONSUMERS; c++) {
                    assertThat(row(queries, "after-the-upgrade-" + c)).as("consumer %d", c).isPresent();
                }
            });
            assertThat(row(queries, "before-the-upgrade")).isPresent();
            // the audit's ReadModelPosition assigns streams to segments by this policy
            assertThat(upgraded.getBean(EventProcessingConfiguration.class)
                    .sequencingPolicy(ConsumerClaimsProjection.PROCESSING_GROUP))
                    .isInstanceOf(SequentialPerAggregatePolicy.class);
        }
        assertThat(segments(database)).isEqualTo(4);
    }

    @Test
    void aNewDatabaseStartsTheReadModelInOneSegment() throws Exception {
        TestDatabase database = TestDatabase.freshH2(dataDir);
        try (ConfigurableApplicationContext ledger = Ledger.start(database)) {
            ledger.getBean(CommandGateway.class).sendAndWait(claim("first"));
            QueryGateway queries = ledger.getBean(QueryGateway.class);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(row(queries, "first")).isPresent());
        }
        // one processor thread reads each event once; two segments read and checked every event twice
        assertThat(segments(database)).isEqualTo(1);
    }

    private static MaterializeClaim claim(String consumer) {
        return new MaterializeClaim("acme", consumer, 1, "https://example.test/" + consumer, "/s/" + consumer, null,
                "runner-a", 60_000, LeasePolicy.RENEW_ON_HEARTBEAT);
    }

    private static Optional<ClaimState> row(QueryGateway queries, String consumer) throws Exception {
        return queries.query(new FindClaim("acme", consumer, 1), ResponseTypes.optionalInstanceOf(ClaimState.class))
                .get();
    }

    private static int segments(TestDatabase database) throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM token_entry WHERE processor_name = '"
                     + ConsumerClaimsProjection.PROCESSING_GROUP + "'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
