package dev.claimsledger.server.http;

import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;

@RequiresPostgres
class ClaimsHttpOnPostgresTest extends ClaimsHttpContract {

    @Override
    TestDatabase database() {
        return TestDatabase.freshPostgresSchema();
    }
}
