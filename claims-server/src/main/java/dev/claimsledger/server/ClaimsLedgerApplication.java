package dev.claimsledger.server;

import dev.claimsledger.server.audit.AuditCommand;
import dev.claimsledger.server.compaction.CompactCommand;
import dev.claimsledger.server.compaction.VerifyExportCommand;
import dev.claimsledger.server.ledger.VerifyCommand;
import java.util.Arrays;
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
        if (args.length > 0 && AuditCommand.NAME.equals(args[0])) {
            System.exit(AuditCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && CompactCommand.NAME.equals(args[0])) {
            System.exit(CompactCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && VerifyExportCommand.NAME.equals(args[0])) {
            System.exit(VerifyExportCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && VerifyCommand.NAME.equals(args[0])) {
            System.exit(VerifyCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        SpringApplication.run(ClaimsLedgerApplication.class, args);
    }
}
