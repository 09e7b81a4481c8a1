package dev.claimsledger.server.ledger;

import dev.claimsledger.compaction.CompactedRuns;
import dev.claimsledger.compaction.RetainedHeartbeats;
import dev.claimsledger.core.LedgerObjectMapper;
import dev.claimsledger.server.ClaimsProperties;
import dev.claimsledger.merkle.Checkpoint;
import dev.claimsledger.merkle.LogVerification;
import dev.claimsledger.merkle.NoteVerifier;
import dev.claimsledger.merkle.VerificationReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code java -jar claims-server.jar verify --checkpoint saved.txt --public-key key.pub [--spring.profiles.active=postgres
 * ...]}: checks the saved checkpoint's signature with the given key (never a key from the server), then the stored
 * ledger against it ({@link LogVerification}), with the same profiles and settings as the server but without HTTP,
 * event processors or the deadline scheduler, so it changes nothing. Exit status 0 when intact, 1 when not (each
 * finding names its leaves or positions), 2 when it could not run (including a checkpoint not signed by the key).
 */
public final class VerifyCommand {

    public static final String NAME = "verify";
    public static final int INTACT = 0;
    public static final int NOT_INTACT = 1;
    public static final int COULD_NOT_RUN = 2;
    private static final int H2_DATABASE_ALREADY_OPEN = 90020;
    private static final String DATA_DIRECTORY_IN_USE = "another running claims-ledger uses it";

    private VerifyCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Arguments arguments;
        Checkpoint saved;
        try {
            arguments = Arguments.parse(args);
            NoteVerifier key = NoteVerifier.parse(read(arguments.publicKey()).strip());
            saved = Checkpoint.open(read(arguments.checkpoint()), key);
            out.println("checkpoint: " + saved.origin() + ", " + saved.size() + " leaves, root "
                    + Base64.getEncoder().encodeToString(saved.root()) + "; its signature by " + key.describe()
                    + " verifies");
        } catch (IllegalArgumentException e) {
            err.println("claims-ledger verify refused: " + e.getMessage());
            return COULD_NOT_RUN;
        }
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(VerifyCommandConfiguration.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .properties("spring.flyway.enabled=false", "logging.level.root=WARN")
                .run(arguments.springArguments())) {
            VerificationReport report = context.getBean(LogVerification.class)
                    .verify(saved, progress -> out.println("  ... " + progress));
            print(report, out);
            return report.intact() ? INTACT : NOT_INTACT;
        } catch (RuntimeException e) {
            err.println("claims-ledger verify could not run: " + (heldByServer(e)
                    ? "the embedded H2 database is held by a running server (H2 opens its files in one process only):"
                    + " stop the server (Ctrl-C or SIGTERM) and run verify again, or run the ledger on PostgreSQL"
                    + " (--spring.profiles.active=postgres)"
                    : rootMessage(e)));
            return COULD_NOT_RUN;
        }
    }

    private static void print(VerificationReport report, PrintStream out) {
        out.println("log: " + report.treeSize() + " leaves; " + report.leavesChecked()
                + " recomputed from their events" + (report.eventsNotYetInLog() > 0
                ? "; " + report.eventsNotYetInLog() + " newer events not in the log yet" : ""));
        out.println("the log " + (report.extendsCheckpoint() ? "extends" : "does NOT extend") + " the checkpoint ("
                + report.checkpoint().size() + " -> " + report.treeSize() + " leaves)");
        report.findings().forEach(finding -> out.println("NOT INTACT " + finding));
        out.println(report.intact() ? "ledger intact" : "ledger NOT intact: " + report.findings().size()
                + " findings");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** H2's own lock on its files, or the ledger's lock on its data directory where the server takes one. */
    private static boolean heldByServer(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_ALREADY_OPEN
                    || String.valueOf(cause.getMessage()).contains(DATA_DIRECTORY_IN_USE)) {
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

    /** The command's own two options; every other argument goes to Spring, as the server's would. */
    record Arguments(Path checkpoint, Path publicKey, String[] springArguments) {

        static Arguments parse(String[] args) {
            Path checkpoint = null;
            Path publicKey = null;
            List<String> spring = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                if (!option.equals("--checkpoint") && !option.equals("--public-key")) {
                    spring.add(arg);
                    continue;
                }
                String value;
                if (arg.contains("=")) {
                    value = arg.substring(arg.indexOf('=') + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException(option + " needs a file");
                }
                if (option.equals("--checkpoint")) {
                    checkpoint = Path.of(value);
                } else {
                    publicKey = Path.of(value);
                }
            }
            if (checkpoint == null || publicKey == null) {
                throw new IllegalArgumentException("usage: verify --checkpoint <saved checkpoint> --public-key "
                        + "<verifier key file> [the server's settings, e.g. --spring.profiles.active=postgres]");
            }
            return new Arguments(checkpoint, publicKey, spring.toArray(String[]::new));
        }
    }

    /**
     * Only the database and the verification: no Axon, no scheduler, no web server. Not a {@code @Configuration}, so
     * the server's component scan leaves it alone.
     */
    @ImportAutoConfiguration({DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class})
    @EnableConfigurationProperties(ClaimsProperties.class)
    static class VerifyCommandConfiguration {

        @Bean
        LogVerification logVerification(JdbcTemplate jdbcTemplate, ClaimsProperties properties) {
            CompactedRuns runs = new CompactedRuns(LedgerObjectMapper.create());
            return new LogVerification(jdbcTemplate, new ExpandedLeafSource(jdbcTemplate, runs,
                    new RetainedHeartbeats(properties.retention().exportDirectory(properties.dataDir()), runs)));
        }
    }
}
