package dev.claimsledger.server.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.core.ClaimCommandValidation;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.server.http.LedgerGateway;
import dev.claimsledger.server.http.OpenApiConfiguration;
import dev.claimsledger.server.http.PathNumbers;
import dev.claimsledger.server.http.ProblemCodes;
import dev.claimsledger.server.security.ApiKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What happened to a consumer's claims, event by event, read from the event store.
 */
@RestController
@RequestMapping(path = "/v1/tenants/{tenant}/claims/{consumer}", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "history", description = "What happened to a consumer's claims, event by event, from the event store")
class HistoryController {

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 1000;

    private final ClaimHistory history;
    private final LedgerGateway ledger;
    private final LedgerAudit audit;

    HistoryController(ClaimHistory history, LedgerGateway ledger, LedgerAudit audit) {
        this.history = history;
        this.ledger = ledger;
        this.audit = audit;
    }

    @Operation(operationId = "getConsumerHistory", summary = "Read a consumer's history",
            description = "The events of every epoch of the consumer, in the order of its stream, exactly as stored.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.AUDIT))
    @HistoryPaging
    @ApiResponse(responseCode = "200", description = "A page of events", useReturnTypeSchema = true)
    @ProblemCodes({ClaimErrorCode.CLAIM_NOT_FOUND, ClaimErrorCode.UNAVAILABLE})
    @GetMapping("/history")
    HistoryJson consumerHistory(@PathVariable String tenant, @PathVariable String consumer,
                                @RequestParam(name = "after_sequence", required = false) String afterSequence,
                                @RequestParam(required = false) String limit) {
        ClaimCommandValidation.identity(tenant, consumer, 0);
        return page(new ConsumerRef(tenant, consumer), null, afterSequence, limit);
    }

    @Operation(operationId = "getEpochHistory", summary = "Read an epoch's history",
            description = "The events of one epoch of the consumer, in the order of its stream, exactly as stored.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.AUDIT))
    @HistoryPaging
    @ApiResponse(responseCode = "200", description = "A page of events", useReturnTypeSchema = true)
    @ProblemCodes({ClaimErrorCode.CLAIM_NOT_FOUND, ClaimErrorCode.UNAVAILABLE})
    @GetMapping("/epochs/{epoch}/history")
    HistoryJson epochHistory(@PathVariable String tenant, @PathVariable String consumer,
                             @PathVariable("epoch") String epochText,
                             @RequestParam(name = "after_sequence", required = false) String afterSequence,
                             @RequestParam(required = false) String limit) {
        long epoch = PathNumbers.epoch(epochText);
        ClaimCommandValidation.identity(tenant, consumer, epoch);
        return page(new ConsumerRef(tenant, consumer), epoch, afterSequence, limit);
    }

    @GetMapping("/history/verification")
    @Operation(operationId = "verifyConsumerHistory", summary = "Check one consumer's history",
            description = "Replays the consumer's stream from the event store with the audit's rules: `chain_intact` "
                    + "tells whether every event's hash and sequence number is as recorded (nothing changed, removed "
                    + "or moved); `violations` lists every broken rule, the lease rules and the read model's rows "
                    + "included.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.AUDIT))
    @ApiResponse(responseCode = "200", description = "What the check found", useReturnTypeSchema = true)
    @ProblemCodes({ClaimErrorCode.CLAIM_NOT_FOUND, ClaimErrorCode.UNAVAILABLE})
    VerificationJson verify(@PathVariable String tenant, @PathVariable String consumer) {
        ClaimCommandValidation.identity(tenant, consumer, 0);
        AuditReport report = ledger.read(() -> audit.runFor(new ConsumerRef(tenant, consumer)));
        if (report.events() == 0) {
            throw new ClaimRejectedException(ClaimErrorCode.CLAIM_NOT_FOUND, "no events for consumer " + consumer);
        }
        boolean chainIntact = report.violations().stream()
                .noneMatch(violation -> LedgerAudit.CHAIN_RULES.contains(violation.rule()));
        return new VerificationJson(tenant, consumer, report.events(), chainIntact, report.clean(),
                report.violations());
    }

    private HistoryJson page(ConsumerRef consumer, Long epoch, String afterSequenceText, String limit) {
        int pageSize = PathNumbers.limit(limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        long afterSequence = PathNumbers.afterSequence(afterSequenceText);
        ClaimHistory.Page page = ledger.read(() -> history.page(consumer, epoch, afterSequence, pageSize));
        if (page.events().isEmpty() && afterSequenceText == null) {
            throw new ClaimRejectedException(ClaimErrorCode.CLAIM_NOT_FOUND, epoch == null
                    ? "no events for consumer " + consumer.consumerId()
                    : "no events for epoch " + epoch + " of consumer " + consumer.consumerId());
        }
        return new HistoryJson(page.events().stream().map(EventJson::of).toList(), page.nextAfterSequence());
    }

    /** The paging parameters of both history operations. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @Parameter(name = "after_sequence", in = ParameterIn.QUERY, description = "The `next_after_sequence` of the "
            + "previous page; -1 (the default) for the first page",
            schema = @Schema(type = "integer", format = "int64", minimum = "-1", defaultValue = "-1"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "How many events a page holds",
            schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "" + MAX_PAGE_SIZE,
                    defaultValue = "" + DEFAULT_PAGE_SIZE))
    @interface HistoryPaging {
    }

    /**
     * @param chainIntact every event's chain hash and sequence number as recorded
     * @param clean       no rule broken at all
     */
    @Schema(name = "HistoryVerification")
    record VerificationJson(@JsonProperty("tenant_id") String tenantId,
                            @JsonProperty("consumer_id") String consumerId,
                            @JsonProperty("events") long events,
                            @JsonProperty("chain_intact") boolean chainIntact,
                            @JsonProperty("clean") boolean clean,
                            @JsonProperty("violations") List<AuditViolation> violations) {
    }

    @Schema(name = "History")
    record HistoryJson(@JsonProperty("events") List<EventJson> events,
                       @Schema(nullable = true, description = "The `after_sequence` of the next page; null on the last "
                               + "page") @JsonProperty("next_after_sequence") Long nextAfterSequence) {
    }

    @Schema(name = "HistoryEvent")
    record EventJson(@Schema(description = "The event's name, such as `ClaimMaterialized` or `HeartbeatReceived`")
                     @JsonProperty("type") String type,
                     @Schema(description = "Its place in the consumer's stream") @JsonProperty("sequence") long sequence,
                     @Schema(description = "Its place in the whole event store") @JsonProperty("position") long position,
                     @JsonProperty("timestamp") Instant timestamp,
                     @Schema(description = "The event as stored: its fields depend on its type",
                             additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
                     @JsonProperty("payload") Map<String, Object> payload) {

        static EventJson of(ClaimHistory.Entry entry) {
            return new EventJson(entry.type(), entry.sequence(), entry.position(), entry.timestamp(), entry.payload());
        }
    }
}
