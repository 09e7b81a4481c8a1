package dev.claimsledger.server.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.projection.ConsumerClaimsProjection;
import dev.claimsledger.server.ProjectionLag;
import dev.claimsledger.server.http.LedgerGateway;
import io.swagger.v3.oas.annotations.Operation;
import java.util.OptionalLong;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/projections/consumer-claims}: how far the read model is behind the events, for anyone who reads
 * claims (the same figure as the {@code claims_projection_lag_events} gauge, which needs the admin scope).
 */
@RestController
class ProjectionStatusController {

    private final ProjectionLag lag;
    private final LedgerGateway ledger;

    ProjectionStatusController(ProjectionLag lag, LedgerGateway ledger) {
        this.lag = lag;
        this.ledger = ledger;
    }

    @GetMapping(path = "/v1/projections/consumer-claims", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getConsumerClaimsProjection", summary = "Show how far the read model is behind",
            description = "`lag_events`: event store positions not yet applied to the claims read model by its "
                    + "slowest segment; null when this node runs no such processor.")
    ProjectionJson projection() {
        OptionalLong events = ledger.read(lag::events);
        return new ProjectionJson(ConsumerClaimsProjection.PROCESSING_GROUP,
                events.isPresent() ? events.getAsLong() : null);
    }

    record ProjectionJson(@JsonProperty("name") String name, @JsonProperty("lag_events") Long lagEvents) {
    }
}
