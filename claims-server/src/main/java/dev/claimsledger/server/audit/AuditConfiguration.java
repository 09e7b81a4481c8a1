package dev.claimsledger.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The audit's readers, shared by the server ({@code GET /v1/admin/audit}) and by the {@code audit} command.
 */
@Configuration(proxyBeanMethods = false)
public class AuditConfiguration {

    @Bean
    EventLog eventLog(JdbcTemplate jdbcTemplate, ObjectMapper ledgerObjectMapper) {
        return new EventLog(jdbcTemplate, ledgerObjectMapper);
    }

    @Bean
    LedgerAudit ledgerAudit(EventLog eventLog, JdbcTemplate jdbcTemplate) {
        return new LedgerAudit(eventLog, JdbcClient.create(jdbcTemplate));
    }
}
