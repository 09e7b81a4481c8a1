package dev.claimsledger.server.audit;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/admin/audit}: the same report as the {@code audit} command.
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
}
