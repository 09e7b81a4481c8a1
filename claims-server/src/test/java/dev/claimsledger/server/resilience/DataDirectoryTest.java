package dev.claimsledger.server.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.server.ClaimsLedgerApplication;
import dev.claimsledger.server.DataDirectory;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The embedded database's directory ({@code claims.data-dir}) when it cannot be used: missing and not creatable, not
 * writable, a file, or in use by another running ledger. The service stops with one line naming the directory and what
 * is wrong, exits with a non-zero status, and writes nothing.
 */
class DataDirectoryTest {

    @TempDir
    Path temporary;

    @Test
    void aDirectoryThatCannotBeCreatedIsNamedWithWhy() {
        Path missing = Path.of("/proc/claims-ledger-test/data");
        assertThatThrownBy(() -> Ledger.start(TestDatabase.freshH2(missing)))
                .isInstanceOf(DataDirectory.UnusableException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist and cannot be created");
        assertThat(missing).doesNotExist();
    }

    @Test
    void aDirectoryThatCannotBeWrittenIsNamedWithWhy() {
        // /proc/self is a directory that nobody, root included, may create files in
        Path readOnly = Path.of("/proc/self").toAbsolutePath();
        assertThatThrownBy(() -> Ledger.start(TestDatabase.freshH2(readOnly)))
                .isInstanceOf(DataDirectory.UnusableException.class)
                .hasMessageContaining(readOnly.toString())
                .hasMessageContaining("not writable");
    }

    @Test
    void aFileInPlaceOfTheDirectoryIsNamedAndLeftAsItWas() throws Exception {
        Path file = Files.writeString(temporary.resolve("data"), "not a directory");
        assertThatThrownBy(() -> Ledger.start(TestDatabase.freshH2(file)))
                .isInstanceOf(DataDirectory.UnusableException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a directory");
        assertThat(file).hasContent("not a directory");
    }

    @Test
    void aDirectoryInUseByAnotherRunningLedgerIsRefusedWithoutTouchingItsDatabase() throws Exception {
        Path data = temporary.resolve("shared");
        try (LedgerProcess running = LedgerProcess.start("data-dir-owner", TestDatabase.freshH2(data), Map.of())) {
            List<Path> before = files(data);
            assertThatThrownBy(() -> Ledger.start(TestDatabase.freshH2(data)))
                    .isInstanceOf(DataDirectory.UnusableException.class)
                    .hasMessageContaining(data.toString())
                    .hasMessageContaining("another running claims-ledger uses it");
            assertThat(files(data)).as("files in the directory after the refused start").isEqualTo(before);
            running.assertAlive();
        }
    }

    @Test
    void twoLedgersOfOneProcessCannotShareADirectoryEither() {
        Path data = temporary.resolve("in-process");
        try (ConfigurableApplicationContext first = Ledger.start(TestDatabase.freshH2(data))) {
            assertThatThrownBy(() -> Ledger.start(TestDatabase.freshH2(data)))
                    .isInstanceOf(DataDirectory.UnusableException.class)
                    .hasMessageContaining("another running claims-ledger uses it");
        }
        try (ConfigurableApplicationContext again = Ledger.start(TestDatabase.freshH2(data))) {
            assertThat(again.isActive()).as("the directory is free again once the first ledger stopped").isTrue();
        }
    }

    @Test
    void theServiceSaysWhatIsWrongInOneLineAndExitsWithAFailureStatus() throws Exception {
        Path file = Files.writeString(temporary.resolve("in-the-way"), "x");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ClaimsLedgerApplication.class.getName(),
                "--claims.data-dir=" + file, "--server.port=0")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("exit status; output:%n%s", output).isNotZero();
        assertThat(output.lines().filter(line -> !line.isBlank()).toList()).as("what it printed")
                .containsExactly("claims-ledger cannot use its data directory " + file
                        + " (claims.data-dir): it is a file, not a directory");
    }

    private static List<Path> files(Path directory) throws Exception {
        try (var listing = Files.list(directory)) {
            return listing.sorted().toList();
        }
    }
}
