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
        // no phoning home, whatever profile or configuration file is in use (axon.update-check.disabled covers Spring)
        System.setProperty("axoniq.update-checker.disabled", "true");
        System.setProperty("disable-axoniq-console-message", "true");
        SpringApplication.run(ClaimsLedgerApplication.class, args);
    }
}
