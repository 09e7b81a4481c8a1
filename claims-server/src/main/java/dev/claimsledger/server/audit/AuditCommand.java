package dev.claimsledger.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.core.LedgerObjectMapper;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

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
    /** H2's error code for a database file locked by another process ({@code ErrorCode.DATABASE_ALREADY_OPEN_1}). */
    private static final int H2_DATABASE_IN_USE = 90020;

    private AuditCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        ConfigurableApplicationContext context;
        try {
            context = new SpringApplicationBuilder(AuditCommandConfiguration.class)
                    .web(WebApplicationType.NONE)
                    .bannerMode(Banner.Mode.OFF)
                    .logStartupInfo(false)
                    .properties("spring.flyway.enabled=false", "logging.level.root=WARN")
                    .run(args);
        } catch (RuntimeException e) {
            return couldNotRun(e, commandLine(args), err);
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
            return couldNotRun(e, context.getEnvironment(), err);
        }
    }

    /**
     * The embedded H2 file can be open in one process only: while the server runs, the audit is run through it.
     * H2's mixed mode ({@code AUTO_SERVER=TRUE}) would let a second process in, but only by opening a TCP port to the
     * database, which the default run keeps closed.
     */
    private static int couldNotRun(RuntimeException failure, Environment environment, PrintStream err) {
        if (isH2FileInUse(failure)) {
            String server = "http://" + environment.getProperty("server.address", "127.0.0.1") + ":"
                    + environment.getProperty("server.port", "8080");
            Path data = Path.of(environment.getProperty("claims.data-dir", "./data")).toAbsolutePath().normalize();
            err.println("claims-ledger audit: the embedded database in " + data + " is in use by a running ledger "
                    + "server; audit through it instead: GET " + server + "/v1/admin/audit (with API keys: a key "
                    + "for every tenant with the scope claims:audit)");
            return SERVER_HOLDS_DATABASE;
        }
        err.println("claims-ledger audit could not run: " + rootMessage(failure));
        return COULD_NOT_RUN;
    }

    /** The settings given as arguments, for when the command's context did not start. */
    private static Environment commandLine(String[] args) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        return environment;
    }

    private static boolean isH2FileInUse(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_IN_USE) {
                return true;
            }
        }
        return false;
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
