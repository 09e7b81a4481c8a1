package dev.claimsledger.server.client;

import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;

@RequiresPostgres
class ClaimsClientOnPostgresTest extends ClaimsClientContract {

    @Override
    TestDatabase database() {
        return TestDatabase.freshPostgresSchema();
    }
}
