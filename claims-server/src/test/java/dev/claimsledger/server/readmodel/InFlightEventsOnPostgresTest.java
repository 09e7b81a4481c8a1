package dev.claimsledger.server.readmodel;

import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;

@RequiresPostgres
class InFlightEventsOnPostgresTest extends InFlightEventsContract {

    @Override
    TestDatabase database() {
        return TestDatabase.freshPostgresSchema();
    }
}
