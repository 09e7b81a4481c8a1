package dev.claimsledger.server.audit;

import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class RetentionOnH2Test extends RetentionContract {

    /** Static, so that they exist before the class's one ledger starts in {@code @BeforeAll}. */
    @TempDir
    static Path dataDir;
    @TempDir
    static Path exports;

    @Override
    TestDatabase database() {
        return TestDatabase.freshH2(dataDir);
    }

    @Override
    Path exportDirectory() {
        return exports;
    }
}
