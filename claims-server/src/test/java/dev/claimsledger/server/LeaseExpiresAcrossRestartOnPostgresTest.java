package dev.claimsledger.server;

import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;

@RequiresPostgres
class LeaseExpiresAcrossRestartOnPostgresTest extends LeaseExpiresAcrossRestartContract {

    private final TestDatabase database = TestDatabase.freshPostgresSchema();

    @Override
    TestDatabase database() {
        return database;
    }
}
