package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What actually lands in PostgreSQL: leases in stored events, and snapshots that load again.
 */
@RequiresPostgres
class StoredLeaseOnPostgresTest {

    private final TestDatabase database = TestDatabase.freshPostgresSchema();

    @ParameterizedTest
    @EnumSource(LeasePolicy.class)
    void storedHeartbeatsNeverCarryANullOrEarlierLease(LeasePolicy policy) throws Exception {
        ConsumerRef consumer = new ConsumerRef("acme", "lease-" + policy.wireName());
        try (ConfigurableApplicationContext ledger = Ledger.start(database)) {
            CommandGateway commands = ledger.getBean(CommandGateway.class);
            commands.sendAndWait(materialize(consumer, policy, 60_000));
            for (int beat = 0; beat < 5; beat++) {
                Thread.sleep(20);
                // a worker clock far behind must not pull the lease back
                commands.sendAndWait(new RecordHeartbeat(consumer.tenantId(), consumer.consumerId(), 1,
                        Instant.parse("2001-01-01T00:00:00Z")));
            }

            List<Object> stored = Ledger.payloads(ledger, consumer.streamId());
            Instant granted = ((ClaimMaterialized) stored.get(0)).leaseExpiresAt();
            Instant previous = granted;
            for (Object event : stored.subList(1, stored.size())) {
                Instant lease = ((HeartbeatReceived) event).leaseExpiresAt();
                assertThat(lease).as("lease after heartbeat").isNotNull().isAfterOrEqualTo(previous);
                previous = lease;
            }
            assertThat(stored).hasSize(6);
            if (policy == LeasePolicy.FIXED) {
                assertThat(previous).isEqualTo(granted);
            } else {
                assertThat(previous).isAfter(granted);
            }
        }
    }

    @Test
    void snapshotsAreStoredWithTheLeaseAndTheAggregateLoadsFromThemAfterARestart() throws Exception {
        ConsumerRef consumer = new ConsumerRef("acme", "snapshotted");
        Map<String, Object> everyThreeEvents = Map.of("claims.snapshot.threshold", 3);
        ClaimCommandResult last = null;
        try (ConfigurableApplicationContext ledger = Ledger.start(database, everyThreeEvents)) {
            CommandGateway commands = ledger.getBean(CommandGateway.class);
            commands.sendAndWait(materialize(consumer, LeasePolicy.RENEW_ON_HEARTBEAT, 60_000));
            for (int beat = 0; beat < 8; beat++) {
                last = commands.sendAndWait(new RecordHeartbeat(consumer.tenantId(), consumer.consumerId(), 1, null));
            }
        }
        assertThat(snapshotRows()).isPositive();

        try (ConfigurableApplicationContext ledger = Ledger.start(database, everyThreeEvents)) {
            DomainEventMessage<?> snapshot = ledger.getBean(EventStore.class).readEvents(consumer.streamId())
                    .asStream().findFirst().orElseThrow();
            assertThat(snapshot.getPayloadType().getSimpleName()).isEqualTo("Claim");
            JsonNode state = ledger.getBean(ObjectMapper.class).valueToTree(snapshot.getPayload());
            assertThat(state.path("streamId").asText()).isEqualTo(consumer.streamId());
            assertThat(state.path("current").path("epoch").asLong()).isEqualTo(1);
            assertThat(state.path("current").path("lease").path("expiresAt").isMissingNode()).isFalse();

            ClaimCommandResult next = ledger.getBean(CommandGateway.class)
                    .sendAndWait(new RecordHeartbeat(consumer.tenantId(), consumer.consumerId(), 1, null));
            assertThat(next.claim().heartbeatCount()).isEqualTo(last.claim().heartbeatCount() + 1);
            assertThat(next.claim().claimedAt()).isEqualTo(last.claim().claimedAt());
            assertThat(next.claim().leaseExpiresAt()).isAfterOrEqualTo(last.claim().leaseExpiresAt());
        }
    }

    private int snapshotRows() throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM snapshot_event_entry")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static MaterializeClaim materialize(ConsumerRef consumer, LeasePolicy policy, long ttlMs) {
        return new MaterializeClaim(consumer.tenantId(), consumer.consumerId(), 1, "https://example.test/entity/1",
                "/streams/1", "wake-1", "runner-a", ttlMs, policy);
    }
}
