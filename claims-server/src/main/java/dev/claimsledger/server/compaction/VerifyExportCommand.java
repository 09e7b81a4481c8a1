package dev.claimsledger.server.compaction;

import dev.claimsledger.compaction.RetentionExportCheck;
import dev.claimsledger.core.LedgerObjectMapper;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.sql.DataSource;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar claims-server.jar verify-export <file or directory> [the server's settings]}: checks retention's
 * export files against the ledger ({@link RetentionExportCheck}), with the same profiles and settings as the server,
 * and changes nothing. Exit status 0 when every exported run matches the ledger, 1 when one does not (each finding
 * names its stream and sequences), 2 when it could not run (no such file, a line that is not an exported run, the
 * database unreachable or held by a running embedded server).
 */
public final class VerifyExportCommand {

    public static final String NAME = "verify-export";
    public static final int INTACT = 0;
    public static final int NOT_INTACT = 1;
    public static final int COULD_NOT_RUN = 2;

    private VerifyExportCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].startsWith("--")) {
            err.println("claims-ledger verify-export refused: usage: verify-export <export file or directory> [the"
                    + " server's settings, e.g. --spring.profiles.active=postgres]");
            return COULD_NOT_RUN;
        }
        Path export = Path.of(args[0]);
        if (!Files.exists(export)) {
            err.println("claims-ledger verify-export refused: " + export + " does not exist");
            return COULD_NOT_RUN;
        }
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(VerifyExportConfiguration.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .properties("spring.flyway.enabled=false", "logging.level.root=WARN")
                .run(Arrays.copyOfRange(args, 1, args.length))) {
            RetentionExportCheck.Report report = new RetentionExportCheck(context.getBean(DataSource.class),
                    LedgerObjectMapper.create()).check(export);
            out.println("export: " + report.runsRead() + " runs, " + report.heartbeats() + " heartbeats; "
                    + report.summariesVerified() + " summaries of the ledger wholly exported and matching, "
                    + report.summariesPartly() + " in part (the rest in other files), " + report.runsStillHeld()
                    + " runs the ledger still holds as exported");
            report.findings().forEach(finding -> out.println("NOT INTACT " + finding));
            out.println(report.intact() ? "export matches the ledger" : "export does NOT match the ledger: "
                    + report.findings().size() + " findings");
            return report.intact() ? INTACT : NOT_INTACT;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("claims-ledger verify-export could not run: " + e.getMessage());
            return COULD_NOT_RUN;
        } catch (RuntimeException e) {
            err.println("claims-ledger verify-export could not run: " + CompactCommand.rootMessage(e));
            return COULD_NOT_RUN;
        }
    }

    /** Only the database. Not a {@code @Configuration}, so the server's scan leaves it alone. */
    @ImportAutoConfiguration(DataSourceAutoConfiguration.class)
    static class VerifyExportConfiguration {
    }
}
