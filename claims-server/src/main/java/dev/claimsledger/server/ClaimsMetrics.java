package dev.claimsledger.server;

import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.HeartbeatReceived;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The ledger's own metrics, next to Axon's and the JVM's at {@code /actuator/prometheus}: events counted as this node
 * commits them (the event store hands its subscribers the events before their transaction commits, so each is counted
 * only once the outermost unit of work has committed: a command that is rolled back and decided again is counted
 * once), active claims and projection lag read when scraped. It subscribes to the event store itself rather than
 * through a subscribing event processor, whose unit of work and handler lookup per event (with the lease writer's
 * heads, which did the same) took over a third of the lease writer's time with single heartbeats (BENCHMARKS.md).
 */
@Component
class ClaimsMetrics {

    private final Counter claimed;
    private final Counter heartbeats;
    private final Counter released;
    private final Counter expired;
    private final Counter superseded;

    ClaimsMetrics(MeterRegistry registry, JdbcClient jdbc, ProjectionLag lag, EventStore eventStore) {
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
        eventStore.subscribe(this::publishing);
    }

    private void publishing(List<? extends EventMessage<?>> events) {
        Map<Counter, Integer> counts = new HashMap<>();
        for (EventMessage<?> event : events) {
            Counter counter = counterOf(event.getPayload());
            if (counter != null) {
                counts.merge(counter, 1, Integer::sum);
            }
        }
        if (counts.isEmpty()) {
            return;
        }
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().root().afterCommit(unitOfWork -> counts.forEach(Counter::increment));
        } else {
            counts.forEach(Counter::increment);
        }
    }

    private Counter counterOf(Object payload) {
        if (payload instanceof HeartbeatReceived) {
            return heartbeats;
        }
        if (payload instanceof ClaimMaterialized) {
            return claimed;
        }
        if (payload instanceof ClaimReleased) {
            return released;
        }
        if (payload instanceof ClaimLeaseExpired) {
            return expired;
        }
        return payload instanceof ClaimSuperseded ? superseded : null;
    }

    private static Counter counter(MeterRegistry registry, String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    private static double activeClaims(JdbcClient jdbc) {
        return jdbc.sql("SELECT count(*) FROM consumer_claims WHERE status = 'active'").query(Long.class).single();
    }
}
