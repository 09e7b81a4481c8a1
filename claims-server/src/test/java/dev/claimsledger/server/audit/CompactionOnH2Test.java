package dev.claimsledger.server.audit;

import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class CompactionOnH2Test extends CompactionContract {

    /** Static, so that it exists before the class's one ledger starts in {@code @BeforeAll}. */
    @TempDir
    static Path dataDir;

    @Override
    TestDatabase database() {
        return TestDatabase.freshH2(dataDir);
    }
}
