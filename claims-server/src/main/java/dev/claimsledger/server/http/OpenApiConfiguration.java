package dev.claimsledger.server.http;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The title of the OpenAPI document at {@code /v3/api-docs} (browsable at {@code /swagger-ui.html}).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI claimsLedgerOpenApi() {
        return new OpenAPI().info(new Info()
                .title("claims-ledger")
                .version("v1")
                .description("An event-sourced ledger of work claims and their leases. Errors are RFC 9457 "
                        + "problem+json with a stable code."));
    }
}
