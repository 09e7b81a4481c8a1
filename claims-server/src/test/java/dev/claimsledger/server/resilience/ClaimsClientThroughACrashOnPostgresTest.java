package dev.claimsledger.server.resilience;

import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;

@RequiresPostgres
class ClaimsClientThroughACrashOnPostgresTest extends ClaimsClientThroughACrashContract {

    @Override
    TestDatabase database() {
        return TestDatabase.freshPostgresSchema();
    }

    @Override
    String databaseName() {
        return "postgres";
    }
}
