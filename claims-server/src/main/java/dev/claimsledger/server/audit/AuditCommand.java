package dev.claimsledger.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.core.LedgerObjectMapper;
import java.io.PrintStream;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * {@code java -jar claims-server.jar audit [--spring.profiles.active=postgres ...]}: replays every event and checks the
 * ledger's promises, with the same profiles and settings as the server but without HTTP, event processors or the
 * deadline scheduler, so it changes nothing. Exit status 0 when clean, 1 when a violation was found, 2 when the audit
 * could not run.
 */
public final class AuditCommand {

    public static final String NAME = "audit";
    public static final int CLEAN = 0;
    public static final int VIOLATIONS = 1;
    public static final int COULD_NOT_RUN = 2;

    private AuditCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(AuditCommandConfiguration.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .properties("spring.flyway.enabled=false", "logging.level.root=WARN")
                .run(args)) {
            LedgerAudit audit = context.getBean(LedgerAudit.class);
            out.println("claims-ledger audit: replaying every event");
            AuditReport report = audit.run(events -> out.println("  ... " + events + " events audited"));
            out.println("claims: " + report.claims() + ", events: " + report.events() + ", violations: "
                    + report.violationCount() + (report.rowsLagging() > 0
                    ? ", read-model rows still catching up: " + report.rowsLagging() : ""));
            report.violations().forEach(violation -> out.println("VIOLATION " + violation));
            out.println(report.clean() ? "audit clean" : "audit found violations");
            return report.clean() ? CLEAN : VIOLATIONS;
        } catch (RuntimeException e) {
            err.println("claims-ledger audit could not run: " + rootMessage(e));
            return COULD_NOT_RUN;
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /**
     * Only the database and the audit: no Axon, no scheduler, no web server. Not a {@code @Configuration}, so the
     * server's component scan leaves it alone.
     */
    @ImportAutoConfiguration({DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class})
    @Import(AuditConfiguration.class)
    static class AuditCommandConfiguration {

        @Bean
        ObjectMapper ledgerObjectMapper() {
            return LedgerObjectMapper.create();
        }
    }
}
