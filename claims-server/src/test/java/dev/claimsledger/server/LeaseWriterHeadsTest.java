package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.api.ReleaseClaim;
import dev.claimsledger.core.LeaseWriter;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.Registration;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the command bus commits reaches the event store's two subscribers of this node: the lease writer's heads
 * ({@link LeaseWriterHeads}) and the ledger's counters ({@link ClaimsMetrics}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaseWriterHeadsTest {

    @TempDir
    static Path dataDir;
    private ConfigurableApplicationContext ledger;

    @BeforeAll
    void start() {
        ledger = Ledger.start(TestDatabase.freshH2(dataDir));
    }

    @AfterAll
    void stop() {
        ledger.close();
    }

    @Test
    void aClaimCommittedByTheCommandBusMovesTheLeaseWritersHeadAndClaimsAndReleasesAreCounted() {
        CommandGateway commands = ledger.getBean(CommandGateway.class);
        LeaseWriter leaseWriter = ledger.getBean(LeaseWriter.class);
        MeterRegistry metrics = ledger.getBean(MeterRegistry.class);
        String stream = ConsumerRef.streamId("acme", "worker-1");
        double claimedBefore = metrics.get("claims.materialized").counter().count();

        commands.sendAndWait(new MaterializeClaim("acme", "worker-1", 1, "https://example.test/entity/1",
                "/streams/1", "wake-1", "runner-a", 60_000L, LeasePolicy.RENEW_ON_HEARTBEAT));

        assertThat(leaseWriter.keepsHead(stream)).isTrue();
        assertThat(leaseWriter.keepsHead(ConsumerRef.streamId("acme", "worker-2"))).isFalse();
        assertThat(metrics.get("claims.materialized").counter().count()).isEqualTo(claimedBefore + 1);

        commands.sendAndWait(new ReleaseClaim("acme", "worker-1", 1, List.of()));

        assertThat(metrics.get("claims.released").counter().count()).isEqualTo(1);
    }

    /** The writer moves its heads itself; its units of work are the ones {@link LeaseWriterHeads} passes over. */
    @Test
    void theLeaseWritersOwnUnitsOfWorkAreToldFromTheCommandBuses() throws Exception {
        Map<String, Boolean> writtenByTheLeaseWriter = new ConcurrentHashMap<>();
        Registration watching = ledger.getBean(EventStore.class).subscribe(events -> events.forEach(event ->
                writtenByTheLeaseWriter.put(event.getPayloadType().getSimpleName(),
                        LeaseWriter.isWriting(CurrentUnitOfWork.get()))));
        try {
            ledger.getBean(CommandGateway.class).sendAndWait(new MaterializeClaim("acme", "worker-3", 1,
                    "https://example.test/entity/3", "/streams/3", "wake-3", "runner-a", 60_000L,
                    LeasePolicy.RENEW_ON_HEARTBEAT));
            ledger.getBean(LeaseWriter.class).record(List.of(new RecordHeartbeat("acme", "worker-3", 1, null)))
                    .get(0).get(10, TimeUnit.SECONDS);
        } finally {
            watching.cancel();
        }

        assertThat(writtenByTheLeaseWriter).containsExactlyInAnyOrderEntriesOf(Map.of(
                "ClaimMaterialized", false, "HeartbeatReceived", true));
    }
}
