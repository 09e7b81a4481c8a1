package dev.claimsledger.server.security;

import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;

/**
 * {@link HostileInputTest} on PostgreSQL, where text must be valid UTF-8 without NUL and identifiers, cursors and
 * filters reach real SQL.
 */
@RequiresPostgres
class HostileInputOnPostgresTest extends HostileInputTest {

    @Override
    TestDatabase database() {
        return TestDatabase.freshPostgresSchema();
    }
}
