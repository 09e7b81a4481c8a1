package dev.claimsledger.server;

import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class LeaseExpiresAcrossRestartOnH2Test extends LeaseExpiresAcrossRestartContract {

    @TempDir
    Path dataDir;

    @Override
    TestDatabase database() {
        return TestDatabase.freshH2(dataDir);
    }
}
