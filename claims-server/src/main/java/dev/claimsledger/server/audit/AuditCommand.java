package dev.claimsledger.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.core.LedgerObjectMapper;
import dev.claimsledger.server.DataDirectory;
import java.io.PrintStream;
import java.nio.file.Path;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * {@code java -jar claims-server.jar audit [--spring.profiles.active=postgres ...]}: replays every event and checks the
 * ledger's promises, with the same profiles and settings as the server but without HTTP, event processors or the
 * deadline scheduler, so it changes nothing. Exit status 0 when clean, 1 when a violation was found, 2 when the audit
 * could not run, 3 when the embedded database is held by a running server, which it then names to audit through.
 */
public final class AuditCommand {

    public static final String NAME = "audit";
    public static final int CLEAN = 0;
    public static final int VIOLATIONS = 1;
    public static final int COULD_NOT_RUN = 2;
    public static final int SERVER_HOLDS_DATABASE = 3;

    private AuditCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        ConfigurableApplicationContext context;
        try {
            context = new SpringApplicationBuilder(AuditCommandConfiguration.class)
                    .web(WebApplicationType.NONE)
                    .bannerMode(Banner.Mode.OFF)
                    .logStartupInfo(false)
                    .listeners(new NotBesideARunningServer())
                    // a refusal is reported below in one line, not as Spring's failure report
                    .properties("spring.flyway.enabled=false", "logging.level.root=WARN",
                            "logging.level.org.springframework.boot.SpringApplication=OFF")
                    .run(args);
        } catch (ServerHoldsDatabase e) {
            err.println(e.getMessage());
            return SERVER_HOLDS_DATABASE;
        } catch (RuntimeException e) {
            return couldNotRun(e, err);
        }
        try (context) {
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
            return couldNotRun(e, err);
        }
    }

    private static int couldNotRun(RuntimeException failure, PrintStream err) {
        err.println("claims-ledger audit could not run: " + rootMessage(failure));
        return COULD_NOT_RUN;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /**
     * The embedded database can be open in one process only, and a running server holds its directory
     * ({@link DataDirectory}): the audit is then run through that server, which this says before the database is
     * touched. H2's mixed mode ({@code AUTO_SERVER=TRUE}) would let a second process in, but only by opening a TCP
     * port to the database, reachable with the embedded run's empty password. Ordered after the settings are loaded
     * and logging is set up, before {@link DataDirectory} would try to lock the directory.
     */
    private static final class NotBesideARunningServer
            implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

        @Override
        public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
            Environment settings = event.getEnvironment();
            if (DataDirectory.heldByAnotherLedger(settings)) {
                throw new ServerHoldsDatabase("claims-ledger audit: the embedded database in "
                        + Path.of(settings.getProperty("claims.data-dir", "./data")).toAbsolutePath().normalize()
                        + " is in use by a running ledger server; audit through it instead: GET http://"
                        + settings.getProperty("server.address", "127.0.0.1") + ":"
                        + settings.getProperty("server.port", "8080") + "/v1/admin/audit (with API keys: a key for"
                        + " every tenant with the scope claims:audit)");
            }
        }

        @Override
        public int getOrder() {
            return LoggingApplicationListener.DEFAULT_ORDER + 1;
        }
    }

    /** A running server holds the embedded database; the message says how to audit through it. */
    private static final class ServerHoldsDatabase extends RuntimeException {

        ServerHoldsDatabase(String message) {
            super(message);
        }
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
