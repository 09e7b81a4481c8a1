package dev.claimsledger.server.audit;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimCommandValidation;
import dev.claimsledger.server.http.OpenApiConfiguration;
import dev.claimsledger.server.http.ProblemCodes;
import dev.claimsledger.server.security.ApiKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/admin/audit}: the same report as the {@code audit} command. {@code GET /v1/tenants/{tenant}/audit}:
 * the same checks on one tenant's streams and rows only, for auditors whose key is for that tenant.
 */
@RestController
@Tag(name = "admin")
class AuditController {

    private final LedgerAudit audit;

    AuditController(LedgerAudit audit) {
        this.audit = audit;
    }

    @Operation(operationId = "runAudit", summary = "Audit the ledger",
            description = "Replays every event of every consumer and checks the ledger's rules and the hash chain, "
                    + "as the `audit` command does; it only reads.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.AUDIT))
    @ApiResponse(responseCode = "200", description = "What the audit found", useReturnTypeSchema = true)
    @ProblemCodes(ClaimErrorCode.UNAVAILABLE)
    @GetMapping(path = "/v1/admin/audit", produces = MediaType.APPLICATION_JSON_VALUE)
    AuditReport audit() {
        return audit.run(events -> {
        });
    }

    @Operation(operationId = "runTenantAudit", summary = "Audit one tenant",
            description = "The audit's checks on the tenant's streams and read model rows only, for auditors whose "
                    + "key is for that tenant; it only reads.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.AUDIT))
    @ApiResponse(responseCode = "200", description = "What the audit found", useReturnTypeSchema = true)
    @ProblemCodes(ClaimErrorCode.UNAVAILABLE)
    @GetMapping(path = "/v1/tenants/{tenant}/audit", produces = MediaType.APPLICATION_JSON_VALUE)
    AuditReport tenantAudit(@PathVariable String tenant) {
        ClaimCommandValidation.id("tenant_id", tenant, true);
        return audit.run(tenant, events -> {
        });
    }
}
