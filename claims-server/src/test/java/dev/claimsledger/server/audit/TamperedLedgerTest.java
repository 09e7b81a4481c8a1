package dev.claimsledger.server.audit;

import dev.claimsledger.server.audit.SampleLedger.Filled;
import dev.claimsledger.server.support.RequiresPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * One filled ledger on PostgreSQL for a whole test class; every test starts from a clean audit, changes rows with
 * SQL behind the ledger's back and puts them back afterwards.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TamperedLedgerTest {

    static final String TENANT = "audited";

    AuditedLedger ledger;
    StoredRows rows;
    /** The consumer whose stored events the tests change. */
    Filled target;

    @BeforeAll
    void fillTheLedger() throws Exception {
        ledger = AuditedLedger.start(TENANT);
        rows = ledger.rows();
        target = ledger.target();
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    @BeforeEach
    void givenALedgerThatAuditsClean() {
        ledger.assertAuditsClean();
    }
}
