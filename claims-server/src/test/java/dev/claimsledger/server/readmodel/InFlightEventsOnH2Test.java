package dev.claimsledger.server.readmodel;

import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class InFlightEventsOnH2Test extends InFlightEventsContract {

    @TempDir
    Path dataDir;

    @Override
    TestDatabase database() {
        return TestDatabase.freshH2(dataDir);
    }
}
