package dev.claimsledger.server.audit;

import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;

@RequiresPostgres
class CompactionOnPostgresTest extends CompactionContract {

    private final TestDatabase database = TestDatabase.freshPostgresSchema();

    @Override
    TestDatabase database() {
        return database;
    }
}
