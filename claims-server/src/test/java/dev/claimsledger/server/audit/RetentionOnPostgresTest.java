package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.compaction.RetentionExport;
import dev.claimsledger.server.compaction.CompactCommand;
import dev.claimsledger.server.compaction.VerifyExportCommand;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RequiresPostgres
class RetentionOnPostgresTest extends RetentionContract {

    /** Static, so that it exists before the class's one ledger starts in {@code @BeforeAll}. */
    @TempDir
    static Path exports;

    private final TestDatabase database = TestDatabase.freshPostgresSchema();

    @Override
    TestDatabase database() {
        return database;
    }

    @Override
    Path exportDirectory() {
        return exports;
    }

    @Test
    @Order(6)
    void theVerifyExportCommandTellsAMatchingExportFromAChangedOneAndAMissingOne(@TempDir Path elsewhere)
            throws Exception {
        // given the exports of this ledger, and a copy of one with a heartbeat's time changed
        Path file = RetentionExport.files(exports).get(0);
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        lines.set(0, alterSegment(lines.get(0)));
        Path changed = Files.write(elsewhere.resolve(file.getFileName()), lines, StandardCharsets.UTF_8);

        // when the command checks each against the ledger's database
        Run matching = verifyExport(exports.toString());
        Run altered = verifyExport(changed.toString());
        Run missing = verifyExport(elsewhere.resolve("no-such-export.jsonl").toString());

        // then it says which matches (0), which does not (1, naming it) and which it could not check (2)
        assertThat(matching.status()).as("%s", matching).isEqualTo(VerifyExportCommand.INTACT);
        assertThat(matching.out()).contains("export matches the ledger");
        assertThat(altered.status()).as("%s", altered).isEqualTo(VerifyExportCommand.NOT_INTACT);
        assertThat(altered.out()).contains("NOT INTACT");
        assertThat(missing.status()).as("%s", missing).isEqualTo(VerifyExportCommand.COULD_NOT_RUN);
        assertThat(missing.err()).contains("does not exist");
    }

    @Test
    @Order(7)
    void theCompactCommandSaysWhatRetentionDroppedAndWhereItWasExported(@TempDir Path commandExports) {
        // when the command compacts with retention on, as a scheduled job would
        Run compact = command(CompactCommand::run, "--claims.compaction.hot-window=0s",
                "--claims.retention.heartbeat-detail=1ms", "--claims.retention.export-directory=" + commandExports);

        // then it reports what it compacted, and what retention dropped and where it went
        assertThat(compact.status()).as("%s", compact).isEqualTo(CompactCommand.DONE);
        assertThat(compact.out()).as("%s", compact).containsPattern("compacted \\d+ heartbeats, removed \\d+ rows")
                .containsPattern("retention dropped the detail of \\d+ heartbeats older than PT0.001S, exported first"
                        + " to (no file \\(nothing to drop\\)|" + Pattern.quote(commandExports.toString()) + ")");
    }

    private Run verifyExport(String export) {
        return command(VerifyExportCommand::run, export);
    }

    /** Runs one of the jar's commands against this ledger's database, with {@code arguments} before its own. */
    private Run command(Command command, String... arguments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            List<String> args = new ArrayList<>(List.of(arguments));
            args.addAll(List.of("--spring.datasource.url=" + database.jdbcUrl(),
                    "--spring.datasource.username=" + database.user(),
                    "--spring.datasource.password=" + database.password()));
            status = command.run(args.toArray(String[]::new), outStream, errStream);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A command's entry point. */
    private interface Command {

        int run(String[] args, PrintStream out, PrintStream err);
    }

    /** What one run of the command returned and printed. */
    private record Run(int status, String out, String err) {
    }
}
