package dev.claimsledger.server.changes;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimCommandValidation;
import dev.claimsledger.server.http.OpenApiConfiguration;
import dev.claimsledger.server.http.PathNumbers;
import dev.claimsledger.server.http.ProblemCodes;
import dev.claimsledger.server.security.ApiKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /v1/tenants/{tenant}/claims/changes}: the tenant's claim state changes as server-sent events.
 */
@RestController
@Tag(name = "claims")
class ClaimChangesController {

    private final ClaimChangeStreams streams;

    ClaimChangesController(ClaimChangeStreams streams) {
        this.streams = streams;
    }

    @GetMapping(path = "/v1/tenants/{tenant}/claims/changes", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamClaimChanges", summary = "Stream the tenant's claim state changes",
            description = "Server-sent events: first `ready` (data `{position}`), then one event per change named "
                    + "`claimed`, `released`, `expired` or `superseded`, in position order, each with `id` = its "
                    + "event-store position and a JSON `data` (a change). Heartbeats are not sent. Send the last id "
                    + "seen as `Last-Event-ID` to resume after it; without it the stream starts at the store's head. "
                    + "A comment line is sent when the stream has been quiet, and the stream ends after "
                    + "`claims.changes.max-duration`. 503 `unavailable` when the node serves its most streams.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.READ))
    @ApiResponse(responseCode = "200", description = "The stream of the tenant's changes",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string")))
    @ProblemCodes(ClaimErrorCode.UNAVAILABLE)
    SseEmitter changes(@PathVariable String tenant,
                       @Parameter(in = ParameterIn.HEADER, description = "The id of the last event received: "
                               + "an event-store position in decimal digits", schema = @Schema(type = "string"))
                       @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        ClaimCommandValidation.id("tenant_id", tenant, true);
        Long after = lastEventId == null ? null : PathNumbers.position("Last-Event-ID", lastEventId.trim());
        return streams.open(tenant, after);
    }
}
