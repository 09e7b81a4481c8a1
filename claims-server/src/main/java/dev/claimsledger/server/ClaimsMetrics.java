package dev.claimsledger.server;

import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.HeartbeatReceived;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.OptionalLong;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The ledger's own metrics, next to Axon's and the JVM's at {@code /actuator/prometheus}: events counted as this node
 * commits them (a subscribing processor sees an event before its transaction commits, so it counts only once the
 * outermost unit of work has committed: a command that is rolled back and decided again is counted once), active
 * claims and projection lag read when scraped.
 */
@Component
@ProcessingGroup(ClaimsMetrics.PROCESSING_GROUP)
class ClaimsMetrics {

    static final String PROCESSING_GROUP = "claims-metrics";

    private final Counter claimed;
    private final Counter heartbeats;
    private final Counter released;
    private final Counter expired;
    private final Counter superseded;

    ClaimsMetrics(MeterRegistry registry, JdbcClient jdbc, ProjectionLag lag) {
        claimed = counter(registry, "claims.materialized", "claims made");
        heartbeats = counter(registry, "claims.heartbeats", "heartbeats recorded");
        released = counter(registry, "claims.released", "claims released");
        expired = counter(registry, "claims.expired", "leases expired by their watchdog deadline");
        superseded = counter(registry, "claims.superseded", "claims ended by a higher epoch");
        Gauge.builder("claims.active", jdbc, ClaimsMetrics::activeClaims)
                .description("active claims in the consumer_claims read model")
                .register(registry);
        Gauge.builder("claims.projection.lag.events", () -> {
                    OptionalLong events = lag.events();
                    return events.isPresent() ? events.getAsLong() : Double.NaN;
                })
                .description("events stored but not yet applied to consumer_claims")
                .register(registry);
    }

    @EventHandler
    void on(ClaimMaterialized event) {
        countOnceCommitted(claimed);
    }

    @EventHandler
    void on(HeartbeatReceived event) {
        countOnceCommitted(heartbeats);
    }

    @EventHandler
    void on(ClaimReleased event) {
        countOnceCommitted(released);
    }

    @EventHandler
    void on(ClaimLeaseExpired event) {
        countOnceCommitted(expired);
    }

    @EventHandler
    void on(ClaimSuperseded event) {
        countOnceCommitted(superseded);
    }

    private static void countOnceCommitted(Counter counter) {
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().root().afterCommit(unitOfWork -> counter.increment());
        } else {
            counter.increment();
        }
    }

    private static Counter counter(MeterRegistry registry, String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    private static double activeClaims(JdbcClient jdbc) {
        return jdbc.sql("SELECT count(*) FROM consumer_claims WHERE status = 'active'").query(Long.class).single();
    }
}
