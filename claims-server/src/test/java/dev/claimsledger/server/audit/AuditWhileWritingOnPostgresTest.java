package dev.claimsledger.server.audit;

import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;

@RequiresPostgres
class AuditWhileWritingOnPostgresTest extends AuditWhileWritingContract {

    @Override
    TestDatabase database() {
        return TestDatabase.freshPostgresSchema();
    }
}
