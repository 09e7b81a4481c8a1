package dev.claimsledger.server.audit;

import dev.claimsledger.core.ClaimCommandValidation;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/admin/audit}: the same report as the {@code audit} command. {@code GET /v1/tenants/{tenant}/audit}:
 * the same checks on one tenant's streams and rows only, for auditors whose key is for that tenant.
 */
@RestController
class AuditController {

    private final LedgerAudit audit;

    AuditController(LedgerAudit audit) {
        this.audit = audit;
    }

    @GetMapping(path = "/v1/admin/audit", produces = MediaType.APPLICATION_JSON_VALUE)
    AuditReport audit() {
        return audit.run(events -> {
        });
    }

    @GetMapping(path = "/v1/tenants/{tenant}/audit", produces = MediaType.APPLICATION_JSON_VALUE)
    AuditReport tenantAudit(@PathVariable String tenant) {
        ClaimCommandValidation.id("tenant_id", tenant, true);
        return audit.run(tenant, events -> {
        });
    }
}
