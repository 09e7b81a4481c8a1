package dev.claimsledger.server.resilience;

import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;

@RequiresPostgres
class CrashRecoveryOnPostgresTest extends CrashRecoveryContract {

    private final TestDatabase database = TestDatabase.freshPostgresSchema();

    @Override
    TestDatabase database() {
        return database;
    }
}
