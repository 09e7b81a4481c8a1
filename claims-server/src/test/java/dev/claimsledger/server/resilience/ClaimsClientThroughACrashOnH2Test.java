package dev.claimsledger.server.resilience;

import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class ClaimsClientThroughACrashOnH2Test extends ClaimsClientThroughACrashContract {

    @TempDir
    Path dataDir;

    @Override
    TestDatabase database() {
        return TestDatabase.freshH2(dataDir);
    }

    @Override
    String databaseName() {
        return "h2";
    }
}
