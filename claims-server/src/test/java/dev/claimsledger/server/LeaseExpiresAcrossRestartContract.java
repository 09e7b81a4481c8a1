package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.FindClaim;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The promise behind the product: a lease that runs out while no server is running still expires, soon after a server
 * is back, and the read model shows it expired. Run against each storage the ledger supports.
 */
abstract class LeaseExpiresAcrossRestartContract {

    /**
     * Long enough for the first server to make the claim and shut down before the lease ends on a loaded machine: with
     * 2 s, a slow shutdown let the lease end while that server still ran, failing the test's premise.
     */
    private static final Duration TTL = Duration.ofSeconds(5);

    abstract TestDatabase database();

    @Test
    void leaseThatRunsOutWhileTheServerIsDownExpiresSoonAfterTheServerIsBack() throws Exception {
        TestDatabase database = database();
        ConsumerRef consumer = new ConsumerRef("acme", "worker-" + System.nanoTime());
        String streamId = consumer.streamId();

        ClaimCommandResult claimed;
        try (ConfigurableApplicationContext first = Ledger.start(database)) {
            claimed = first.getBean(CommandGateway.class).sendAndWait(new MaterializeClaim(consumer.tenantId(),
                    consumer.consumerId(), 1, "https://example.test/entity/1", "/streams/1", null, "runner-a",
                    TTL.toMillis(), LeasePolicy.RENEW_ON_HEARTBEAT));
        }
        Instant leaseEnd = claimed.claim().leaseExpiresAt();
        assertThat(Instant.now()).as("the first server must be down before the lease ends").isBefore(leaseEnd);
        assertThat(pendingDeadlines(database)).as("the watchdog deadline is stored, not held in memory").isEqualTo(1);

        Thread.sleep(Math.max(0, Duration.between(Instant.now(), leaseEnd).toMillis()) + 500);

        try (ConfigurableApplicationContext second = Ledger.start(database)) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    assertThat(Ledger.payloads(second, streamId)).hasAtLeastOneElementOfType(ClaimLeaseExpired.class));

            List<Object> history = Ledger.payloads(second, streamId);
            assertThat(history).hasSize(2);
            assertThat(history.get(0)).isInstanceOf(ClaimMaterialized.class);
            ClaimLeaseExpired expired = (ClaimLeaseExpired) history.get(1);
            assertThat(expired.epoch()).isEqualTo(1);
            assertThat(expired.leaseExpiresAt()).isEqualTo(leaseEnd);
            assertThat(expired.expiredAt()).as("never expired before the lease's end").isAfterOrEqualTo(leaseEnd);
            await().atMost(Duration.ofSeconds(5)).until(() -> pendingDeadlines(database) == 0);

            QueryGateway queries = second.getBean(QueryGateway.class);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    assertThat(queries.query(new FindClaim(consumer.tenantId(), consumer.consumerId(), 1),
                                    ResponseTypes.optionalInstanceOf(ClaimState.class)).get())
                            .hasValueSatisfying(row -> {
                                assertThat(row.status()).isEqualTo(ClaimStatus.EXPIRED);
                                assertThat(row.endReason()).isEqualTo("expired");
                                assertThat(row.endedAt()).isEqualTo(expired.expiredAt());
                            }));
        }
    }

    private static int pendingDeadlines(TestDatabase database) throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM lease_deadlines")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
