package dev.claimsledger.server.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.server.http.OpenApiConfiguration;
import dev.claimsledger.server.http.ProblemCodes;
import dev.claimsledger.server.security.ApiKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Rebuilding the {@code consumer_claims} read model from the events.
 */
@RestController
@RequestMapping(path = "/v1/admin/projections/consumer-claims", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "admin", description = "Operating the ledger: rebuilds of the read model and the audit")
class AdminController {

    private final ProjectionRebuilds rebuilds;
    private final Clock clock;

    AdminController(ProjectionRebuilds rebuilds, Clock clock) {
        this.rebuilds = rebuilds;
        this.clock = clock;
    }

    @Operation(operationId = "startRebuild", summary = "Rebuild the read model",
            description = "Builds `consumer_claims` anew from every event, beside the current rows, which every "
                    + "read keeps using until the rebuilt ones replace them in one transaction. One rebuild at a "
                    + "time in the cluster; follow the Location for its progress.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.ADMIN))
    @ApiResponse(responseCode = "202", description = "The rebuild started", useReturnTypeSchema = true,
            headers = @Header(name = "Location", description = "Where its progress is read",
                    schema = @Schema(type = "string", format = "uri-reference")))
    @ProblemCodes({ClaimErrorCode.CONFLICT, ClaimErrorCode.UNAVAILABLE})
    @PostMapping("/rebuild")
    ResponseEntity<RebuildJson> rebuild() {
        Rebuild rebuild = rebuilds.start();
        return ResponseEntity.accepted()
                .location(URI.create("/v1/admin/projections/consumer-claims/rebuilds/" + rebuild.id()))
                .body(RebuildJson.of(rebuild, clock.instant()));
    }

    @Operation(operationId = "getRebuild", summary = "Read a rebuild's progress",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.ADMIN))
    @ApiResponse(responseCode = "200", description = "The rebuild and how far it has come", useReturnTypeSchema = true)
    @ProblemCodes({ClaimErrorCode.NOT_FOUND, ClaimErrorCode.UNAVAILABLE})
    @GetMapping("/rebuilds/{id}")
    RebuildJson progress(@PathVariable String id) {
        return rebuilds.find(id)
                .map(rebuild -> RebuildJson.of(rebuild, clock.instant()))
                .orElseThrow(() -> new ClaimRejectedException(ClaimErrorCode.NOT_FOUND, "no rebuild " + id));
    }

    @Schema(name = "Rebuild", description = "A rebuild of the read model; progress counts event store positions")
    record RebuildJson(@JsonProperty("id") String id,
                       @Schema(allowableValues = {"running", "done", "failed"}) @JsonProperty("state") String state,
                       @JsonProperty("processed") long processed,
                       @JsonProperty("total") long total,
                       @JsonProperty("events_per_second") double eventsPerSecond,
                       @Schema(nullable = true, description = "Expected time to completion; 0 when done, null while "
                               + "the rate is unknown") @JsonProperty("eta_ms") Long etaMs,
                       @JsonProperty("started_at") Instant startedAt,
                       @Schema(nullable = true, description = "Why it failed; null unless it did")
                       @JsonProperty("failure") String failure) {

        static RebuildJson of(Rebuild rebuild, Instant now) {
            return new RebuildJson(rebuild.id(), rebuild.state().name().toLowerCase(Locale.ROOT), rebuild.processed(),
                    rebuild.total(), Math.round(rebuild.eventsPerSecond(now) * 10) / 10.0, rebuild.etaMillis(now),
                    rebuild.startedAt(), rebuild.failure());
        }
    }
}
