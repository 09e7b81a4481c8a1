package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

@ExtendWith(OutputCaptureExtension.class)
class StartupReportTest {

    @TempDir
    Path dataDir;

    @Test
    void startUpSaysWhereTheServiceListensWhereItsDataLivesAndThatItRunsWithoutKeys(CapturedOutput output) {
        try (ConfigurableApplicationContext ledger = Ledger.startWithHttp(TestDatabase.freshH2(dataDir), Map.of())) {
            assertThat(output.getOut())
                    .contains("claims-ledger listening on " + Ledger.baseUrl(ledger))
                    .contains("data: H2 files in " + dataDir.toAbsolutePath().normalize())
                    .contains("No API keys file (claims.security.api-keys-file)");
        }
    }
}
