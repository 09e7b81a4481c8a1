package dev.claimsledger.server.http;

import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ClaimPage;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.FindClaim;
import dev.claimsledger.api.FindClaims;
import dev.claimsledger.api.FindRunnerHealth;
import dev.claimsledger.api.FindRunners;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.api.ReleaseClaim;
import dev.claimsledger.api.RunnerHealth;
import dev.claimsledger.api.RunnerPage;
import dev.claimsledger.core.ClaimCommandValidation;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.projection.ClaimCursor;
import dev.claimsledger.projection.IdCursor;
import dev.claimsledger.server.audit.ClaimHistory;
import dev.claimsledger.server.security.ApiKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The claims HTTP API. Commands answer with the claim as the aggregate decided it (a caller always sees its own
 * write); reads come from the {@code consumer_claims} read model, which may lag by a moment.
 */
@RestController
@RequestMapping(path = "/v1/tenants/{tenant}", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "claims", description = "Claims, their heartbeats and releases, and reads of the claims")
class ClaimsController {

    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 500;
    static final int MAX_BATCHED_HEARTBEATS = 1000;

    private final LedgerGateway ledger;
    private final ClaimHistory history;
    private final Clock clock;

    ClaimsController(LedgerGateway ledger, ClaimHistory history, Clock clock) {
        this.ledger = ledger;
        this.history = history;
        this.clock = clock;
    }

    @Operation(operationId = "makeClaim", summary = "Make a claim",
            description = "Makes the claim of `epoch` for the consumer, with a lease of `lease_ttl_ms`. A higher epoch "
                    + "than the current one first ends the current one (superseded, or expired if its lease ran out). "
                    + "The same epoch with the same data is an idempotent success that records nothing (200); with "
                    + "other data it is a `conflict`; a lower epoch is `stale_epoch`. The tenant, consumer and runner "
                    + "ids must not be `.` or `..` nor contain a backslash, so that the claim can be reached at its "
                    + "URL.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.WRITE))
    @ApiResponse(responseCode = "201", description = "The claim was made and recorded", useReturnTypeSchema = true,
            headers = @Header(name = "Location", description = "The claim's URL",
                    schema = @Schema(type = "string", format = "uri-reference")))
    @ApiResponse(responseCode = "200", description = "The same claim was made before with the same data; nothing was "
            + "recorded", useReturnTypeSchema = true,
            headers = @Header(name = "Location", description = "The claim's URL",
                    schema = @Schema(type = "string", format = "uri-reference")))
    @ProblemCodes({ClaimErrorCode.STALE_EPOCH, ClaimErrorCode.CONFLICT, ClaimErrorCode.UNAVAILABLE})
    @PostMapping(path = "/claims", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ClaimJson> materialize(@PathVariable String tenant, @RequestBody ClaimRequests.Materialize body) {
        MaterializeClaim command = new MaterializeClaim(tenant, body.consumerId(),
                required("epoch", body.epoch()), body.entityUrl(), body.streamPath(), body.wakeId(), body.runnerId(),
                required("lease_ttl_ms", body.leaseTtlMs()), leasePolicy(body.leasePolicy()));
        ClaimCommandResult result = ledger.send(command);
        ClaimState claim = result.claim();
        // encode the template first, so that an id's own '/' is sent as %2F
        URI location = UriComponentsBuilder.fromPath("/v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}")
                .encode().buildAndExpand(claim.tenantId(), claim.consumerId(), claim.epoch()).toUri();
        return ResponseEntity.status(result.appended() ? HttpStatus.CREATED : HttpStatus.OK)
                .location(location)
                .body(json(claim));
    }

    @Operation(operationId = "recordHeartbeat", summary = "Record a heartbeat",
            description = "Records that the worker holding the epoch is alive. Under `renew_on_heartbeat` the lease "
                    + "moves to ledger-now + TTL, never earlier; under `fixed` it stays where it is. `reported_at`, the "
                    + "worker's own clock, is recorded for audits and never used for the lease.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.WRITE))
    @ApiResponse(responseCode = "200", description = "The claim after the heartbeat", useReturnTypeSchema = true)
    @ProblemCodes({ClaimErrorCode.CLAIM_NOT_FOUND, ClaimErrorCode.STALE_EPOCH, ClaimErrorCode.CLAIM_NOT_ACTIVE,
            ClaimErrorCode.CLAIM_EXPIRED, ClaimErrorCode.CONFLICT, ClaimErrorCode.UNAVAILABLE})
    @PostMapping(path = "/claims/{consumer}/epochs/{epoch}/heartbeats")
    ClaimJson heartbeat(@PathVariable String tenant, @PathVariable String consumer, @PathVariable String epoch,
                        @RequestBody(required = false) ClaimRequests.Heartbeat body) {
        return json(ledger.heartbeat(heartbeatCommand(tenant, consumer, epoch, body)).claim());
    }

    /** The command of a single heartbeat, from its path and optional body; also for {@link DirectHeartbeatFilter}. */
    static RecordHeartbeat heartbeatCommand(String tenant, String consumer, String epoch,
                                            ClaimRequests.Heartbeat body) {
        return new RecordHeartbeat(tenant, consumer, PathNumbers.epoch(epoch), body == null ? null : body.reportedAt());
    }

    /**
     * Many heartbeats of one tenant in one request and one commit. Answers 200 with one result per heartbeat, in the
     * request's order: the claim after it, or the error that rejected it. A malformed batch is refused whole (400)
     * and records nothing.
     */
    @Operation(operationId = "recordHeartbeats", summary = "Record a batch of heartbeats",
            description = "Records 1 to 1,000 heartbeats of the tenant with one commit. Each is decided as a single "
                    + "heartbeat would be, and answered in the request's order with the status and the claim or the "
                    + "error that single heartbeat would have had; a rejected one records nothing and does not stop "
                    + "the others. A malformed batch is refused whole (400) and records nothing.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.WRITE))
    @ApiResponse(responseCode = "200", description = "One result per heartbeat, in the request's order",
            useReturnTypeSchema = true)
    @ProblemCodes({ClaimErrorCode.CONFLICT, ClaimErrorCode.UNAVAILABLE})
    @PostMapping(path = "/heartbeats", consumes = MediaType.APPLICATION_JSON_VALUE)
    HeartbeatBatchJson heartbeats(@PathVariable String tenant, @RequestBody ClaimRequests.HeartbeatBatch body) {
        List<ClaimRequests.BatchedHeartbeat> items = body.heartbeats();
        if (items == null || items.isEmpty() || items.size() > MAX_BATCHED_HEARTBEATS) {
            throw invalid("heartbeats must hold 1 to " + MAX_BATCHED_HEARTBEATS + " heartbeats");
        }
        List<RecordHeartbeat> commands = new ArrayList<>(items.size());
        for (int index = 0; index < items.size(); index++) {
            commands.add(batchedHeartbeat(tenant, index, items.get(index)));
        }
        List<LedgerGateway.BatchOutcome> outcomes = ledger.recordHeartbeats(commands);
        Instant now = clock.instant();
        List<HeartbeatBatchJson.Result> results = new ArrayList<>(outcomes.size());
        for (int index = 0; index < outcomes.size(); index++) {
            results.add(HeartbeatBatchJson.Result.of(commands.get(index), outcomes.get(index), now));
        }
        return new HeartbeatBatchJson(results);
    }

    @Operation(operationId = "releaseClaim", summary = "Release a claim",
            description = "Ends the claim because the worker is done, with the stream positions it reached. "
                    + "Releasing a released epoch again succeeds and records nothing; a claim whose lease ran out "
                    + "cannot be released (`claim_expired`).",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.WRITE))
    @ApiResponse(responseCode = "200", description = "The released claim", useReturnTypeSchema = true)
    @ProblemCodes({ClaimErrorCode.CLAIM_NOT_FOUND, ClaimErrorCode.STALE_EPOCH, ClaimErrorCode.CLAIM_EXPIRED,
            ClaimErrorCode.CONFLICT, ClaimErrorCode.UNAVAILABLE})
    @PostMapping(path = "/claims/{consumer}/epochs/{epoch}/release")
    ClaimJson release(@PathVariable String tenant, @PathVariable String consumer, @PathVariable("epoch") String epochText,
                      @RequestBody(required = false) ClaimRequests.Release body) {
        long epoch = PathNumbers.epoch(epochText);
        List<ClaimJson.AckedStreamJson> acked = body == null || body.ackedStreams() == null ? List.of() : body.ackedStreams();
        if (acked.stream().anyMatch(Objects::isNull)) {
            throw invalid("acked_streams must not contain null");
        }
        return json(ledger.send(new ReleaseClaim(tenant, consumer, epoch,
                acked.stream().map(ClaimJson.AckedStreamJson::toAckedStream).toList())).claim());
    }

    /**
     * The claim from the read model; with {@code as_of}, the claim as it stood at that instant, folded from the
     * events recorded up to then, with {@code lease_remaining_ms} relative to that instant.
     */
    @Operation(operationId = "getClaim", summary = "Read a claim",
            description = "The claim from the read model, which follows the events a moment behind; with `as_of`, "
                    + "the claim as it stood at that instant, folded from the events recorded up to then.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.READ))
    @Parameter(name = "as_of", in = ParameterIn.QUERY, description = "An instant such as 2026-01-31T12:00:00Z: the "
            + "claim as it stood then, with `lease_remaining_ms` relative to it. Needs the scope `claims:audit` "
            + "instead of `claims:read`.", schema = @Schema(type = "string", format = "date-time"))
    @ApiResponse(responseCode = "200", description = "The claim", useReturnTypeSchema = true)
    @ProblemCodes({ClaimErrorCode.CLAIM_NOT_FOUND, ClaimErrorCode.CONFLICT, ClaimErrorCode.HISTORY_NOT_RETAINED,
            ClaimErrorCode.UNAVAILABLE})
    @GetMapping("/claims/{consumer}/epochs/{epoch}")
    ClaimJson claim(@PathVariable String tenant, @PathVariable String consumer, @PathVariable("epoch") String epochText,
                    @RequestParam(name = "as_of", required = false) String asOf) {
        long epoch = PathNumbers.epoch(epochText);
        ClaimCommandValidation.identity(tenant, consumer, epoch);
        Supplier<ClaimRejectedException> notFound = () -> new ClaimRejectedException(ClaimErrorCode.CLAIM_NOT_FOUND,
                "no claim of epoch " + epoch + " for consumer " + consumer + (asOf == null ? "" : " at " + asOf));
        if (asOf != null) {
            Instant instant = instant("as_of", asOf);
            return ClaimJson.of(ledger.read(() -> history.stateAt(new ConsumerRef(tenant, consumer), epoch, instant))
                    .orElseThrow(notFound), instant);
        }
        Optional<ClaimState> claim = ledger.query(new FindClaim(tenant, consumer, epoch),
                ResponseTypes.optionalInstanceOf(ClaimState.class));
        return json(claim.orElseThrow(notFound));
    }

    @Operation(operationId = "listClaims", summary = "List the tenant's claims",
            description = "A page of the tenant's claims from the read model, in consumer and epoch order; follow "
                    + "`next_cursor` for the next page.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.READ))
    @Parameter(name = "status", in = ParameterIn.QUERY, description = "Only claims in this status",
            schema = @Schema(type = "string", allowableValues = {"active", "released", "expired", "superseded"}))
    @Parameter(name = "runner_id", in = ParameterIn.QUERY, description = "Only claims of this runner",
            schema = @Schema(type = "string", maxLength = ClaimCommandValidation.MAX_ID_LENGTH))
    @Parameter(name = "entity_url", in = ParameterIn.QUERY, description = "Only claims on this entity",
            schema = @Schema(type = "string", maxLength = ClaimCommandValidation.MAX_LOCATOR_LENGTH))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "How many claims a page holds",
            schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "" + MAX_PAGE_SIZE,
                    defaultValue = "" + DEFAULT_PAGE_SIZE))
    @Parameter(name = "cursor", in = ParameterIn.QUERY, description = "The `next_cursor` of the previous page",
            schema = @Schema(type = "string"))
    @ApiResponse(responseCode = "200", description = "A page of claims", useReturnTypeSchema = true)
    @ProblemCodes(ClaimErrorCode.UNAVAILABLE)
    @GetMapping("/claims")
    ClaimPageJson claims(@PathVariable String tenant,
                         @RequestParam(required = false) String status,
                         @RequestParam(name = "runner_id", required = false) String runnerId,
                         @RequestParam(name = "entity_url", required = false) String entityUrl,
                         @RequestParam(name = "consumer_id", required = false) String consumerId,
                         @RequestParam(required = false) String limit,
                         @RequestParam(required = false) String cursor) {
        ClaimCommandValidation.id("tenant_id", tenant, true);
        ClaimCommandValidation.id("runner_id", runnerId, false);
        ClaimCommandValidation.id("consumer_id", consumerId, false);
        ClaimCommandValidation.locator("entity_url", entityUrl, false);
        int pageSize = PathNumbers.limit(limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        if (cursor != null) {
            ClaimCursor decoded;
            try {
                decoded = ClaimCursor.decode(cursor);
            } catch (IllegalArgumentException e) {
                throw invalid("cursor is not one this service gave out");
            }
            ClaimCommandValidation.id("cursor", decoded.consumerId(), false);
        }
        ClaimPage page = ledger.query(new FindClaims(tenant, status(status), runnerId, entityUrl, consumerId, pageSize,
                cursor), ResponseTypes.instanceOf(ClaimPage.class));
        Instant now = clock.instant();
        return new ClaimPageJson(page.claims().stream().map(claim -> ClaimJson.of(claim, now)).toList(),
                page.nextCursor());
    }

    @GetMapping("/runners")
    @Operation(operationId = "listRunners", summary = "List the runners holding the tenant's active claims",
            description = "A page of runners in id order, each with its active claims counted and the skew of its "
                    + "workers' clocks: the time reported with each active claim's last heartbeat minus the "
                    + "ledger's time of receiving it. Claims without a runner are not counted.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.READ))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "How many runners a page holds",
            schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "" + MAX_PAGE_SIZE,
                    defaultValue = "" + DEFAULT_PAGE_SIZE))
    @Parameter(name = "cursor", in = ParameterIn.QUERY, description = "The `next_cursor` of the previous page",
            schema = @Schema(type = "string"))
    @ApiResponse(responseCode = "200", description = "A page of runners", useReturnTypeSchema = true)
    @ProblemCodes(ClaimErrorCode.UNAVAILABLE)
    RunnerPageJson runners(@PathVariable String tenant,
                           @RequestParam(required = false) String limit,
                           @RequestParam(required = false) String cursor) {
        ClaimCommandValidation.id("tenant_id", tenant, true);
        int pageSize = PathNumbers.limit(limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        if (cursor != null) {
            idCursor(cursor);
        }
        RunnerPage page = ledger.query(new FindRunners(tenant, pageSize, cursor),
                ResponseTypes.instanceOf(RunnerPage.class));
        return RunnerPageJson.of(page);
    }

    @Operation(operationId = "getRunnerHealth", summary = "Read a runner's active claims",
            description = "The active claims of one runner of the tenant, from the read model.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.READ))
    @ApiResponse(responseCode = "200", description = "The runner's active claims", useReturnTypeSchema = true)
    @ProblemCodes(ClaimErrorCode.UNAVAILABLE)
    @GetMapping("/runners/{runner}/health")
    RunnerHealthJson runnerHealth(@PathVariable String tenant, @PathVariable String runner) {
        ClaimCommandValidation.id("tenant_id", tenant, true);
        ClaimCommandValidation.id("runner_id", runner, true);
        RunnerHealth health = ledger.query(new FindRunnerHealth(tenant, runner),
                ResponseTypes.instanceOf(RunnerHealth.class));
        Instant now = clock.instant();
        return new RunnerHealthJson(health.runnerId(), new RunnerHealthJson.Claims(health.activeCount(),
                health.active().stream().map(claim -> ClaimJson.of(claim, now)).toList()));
    }

    private ClaimJson json(ClaimState claim) {
        return ClaimJson.of(claim, clock.instant());
    }

    private static RecordHeartbeat batchedHeartbeat(String tenant, int index, ClaimRequests.BatchedHeartbeat item) {
        String field = "heartbeats[" + index + "]";
        if (item == null) {
            throw invalid(field + " must be an object");
        }
        if (item.epoch() == null) {
            throw invalid(field + ".epoch is required");
        }
        try {
            ClaimCommandValidation.identity(tenant, item.consumerId(), item.epoch());
        } catch (ClaimRejectedException e) {
            throw invalid(field + ": " + e.getMessage());
        }
        return new RecordHeartbeat(tenant, item.consumerId(), item.epoch(), item.reportedAt());
    }

    /** A runner's or tenant's page cursor, checked before it reaches a query. */
    static IdCursor idCursor(String cursor) {
        try {
            IdCursor decoded = IdCursor.decode(cursor);
            ClaimCommandValidation.id("cursor", decoded.id(), false);
            return decoded;
        } catch (IllegalArgumentException e) {
            throw invalid("cursor is not one this service gave out");
        }
    }

    private static LeasePolicy leasePolicy(String wireName) {
        if (wireName == null) {
            return null;
        }
        for (LeasePolicy policy : LeasePolicy.values()) {
            if (policy.wireName().equals(wireName)) {
                return policy;
            }
        }
        throw invalid("lease_policy must be fixed or renew_on_heartbeat");
    }

    private static ClaimStatus status(String status) {
        if (status == null) {
            return null;
        }
        for (ClaimStatus candidate : ClaimStatus.values()) {
            if (candidate.wireName().equals(status.toLowerCase(Locale.ROOT))) {
                return candidate;
            }
        }
        throw invalid("status must be one of active, released, expired, superseded");
    }

    private static Instant instant(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw invalid(field + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, was " + text);
        }
    }

    private static long required(String field, Long value) {
        if (value == null) {
            throw invalid(field + " is required");
        }
        return value;
    }

    private static ClaimRejectedException invalid(String message) {
        return new ClaimRejectedException(ClaimErrorCode.VALIDATION_FAILED, message);
    }
}
