package dev.claimsledger.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import javax.sql.DataSource;
import org.axonframework.serialization.json.JacksonSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The audit's readers, shared by the server ({@code GET /v1/admin/audit}) and by the {@code audit} command.
 */
@Configuration(proxyBeanMethods = false)
public class AuditConfiguration {

    @Bean
    EventLog eventLog(JdbcTemplate jdbcTemplate, ObjectMapper ledgerObjectMapper) {
        return new EventLog(jdbcTemplate, ledgerObjectMapper);
    }

    /** Reads tracking tokens as Axon stored them: with the server's one Jackson serializer (AxonStorageConfiguration). */
    @Bean
    LedgerAudit ledgerAudit(EventLog eventLog, DataSource dataSource, ObjectMapper ledgerObjectMapper) {
        return new LedgerAudit(eventLog, dataSource,
                JacksonSerializer.builder().objectMapper(ledgerObjectMapper).build());
    }
}
