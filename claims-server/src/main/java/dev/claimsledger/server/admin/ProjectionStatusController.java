package dev.claimsledger.server.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.projection.ConsumerClaimsProjection;
import dev.claimsledger.server.ProjectionLag;
import dev.claimsledger.server.http.LedgerGateway;
import dev.claimsledger.server.http.OpenApiConfiguration;
import dev.claimsledger.server.http.ProblemCodes;
import dev.claimsledger.server.security.ApiKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.OptionalLong;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/projections/consumer-claims}: how far the read model is behind the events, for anyone who reads
 * claims (the same figure as the {@code claims_projection_lag_events} gauge, which needs the admin scope).
 */
@RestController
@Tag(name = "claims")
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
                    + "slowest segment; null when this node runs no such processor.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.READ))
    @ApiResponse(responseCode = "200", description = "The read model and its lag", useReturnTypeSchema = true)
    @ProblemCodes(ClaimErrorCode.UNAVAILABLE)
    ProjectionJson projection() {
        OptionalLong events = ledger.read(lag::events);
        return new ProjectionJson(ConsumerClaimsProjection.PROCESSING_GROUP,
                events.isPresent() ? events.getAsLong() : null);
    }

    @Schema(name = "ProjectionStatus")
    record ProjectionJson(@Schema(description = "The read model's processing group") @JsonProperty("name") String name,
                          @Schema(nullable = true, description = "Event store positions not yet applied; null when "
                                  + "this node runs no such processor") @JsonProperty("lag_events") Long lagEvents) {
    }
}
