package dev.claimsledger.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The claims ledger service.
 */
@SpringBootApplication(scanBasePackages = "dev.claimsledger")
@ConfigurationPropertiesScan
public class ClaimsLedgerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ClaimsLedgerApplication.class, args);
    }
}
