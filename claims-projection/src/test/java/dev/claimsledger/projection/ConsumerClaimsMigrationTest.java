package dev.claimsledger.projection;

import static dev.claimsledger.projection.ClaimEvents.deliver;
import static dev.claimsledger.projection.ClaimEvents.seq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.LeasePolicy;
import java.time.Instant;
import java.util.List;
import org.h2.api.ErrorCode;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The {@code consumer_claims} migration on H2 in PostgreSQL mode, as production runs it: the table takes the rows the
 * projection writes, from any session, and refuses a status that is not one of the four.
 */
class ConsumerClaimsMigrationTest {

    private static final Instant CLAIMED_AT = Instant.parse("2026-01-01T00:00:00.123456Z");
    private static final ClaimMaterialized MATERIALIZED = new ClaimMaterialized("acme", "invoice-indexer", 1,
            "https://entities.example/acme/invoices", "/acme/invoices/events", "wake-7", "runner-3", 30_000,
            LeasePolicy.RENEW_ON_HEARTBEAT, CLAIMED_AT, CLAIMED_AT.plusSeconds(30));

    /**
     * Fails on H2 2.4.240 (the version Spring Boot 4.0.7 manages): the {@code CHECK (status IN (...))} is evaluated
     * through the session that created it, so once the connection Flyway migrated on is closed (a pool retires it,
     * by default after 30 minutes) every insert and update of {@code consumer_claims} fails with "Check constraint
     * invalid" (H2 error 23514) until the database is reopened. Passes on H2 2.3.232.
     */
    @Test
    void claimsAreStoredAfterTheConnectionThatRanTheMigrationIsClosed() {
        // given
        try (ProjectionDatabase database = ProjectionDatabase.migratedOnAConnectionClosedAfterwards()) {
            ConsumerClaimsProjection projection = new ConsumerClaimsProjection(database.jdbcTemplate());

            // when
            deliver(projection, seq(0, MATERIALIZED),
                    seq(1, new ClaimReleased("acme", "invoice-indexer", 1, CLAIMED_AT.plusSeconds(1), List.of(),
                            CLAIMED_AT.plusSeconds(30))));

            // then
            assertThat(database.row("acme", "invoice-indexer", 1)).containsEntry("status", "released");
        }
    }

    @Test
    void theTableRefusesAStatusThatIsNotOneOfTheFour() {
        // given
        try (ProjectionDatabase database = ProjectionDatabase.migrated()) {
            ConsumerClaimsProjection projection = new ConsumerClaimsProjection(database.jdbcTemplate());
            deliver(projection, seq(0, MATERIALIZED));

            // when / then
            assertThatThrownBy(() -> database.jdbc()
                    .sql("UPDATE consumer_claims SET status = 'paused' WHERE consumer_id = 'invoice-indexer'")
                    .update())
                    .isInstanceOf(DataIntegrityViolationException.class)
                    .rootCause()
                    .hasMessageContaining(String.valueOf(ErrorCode.CHECK_CONSTRAINT_VIOLATED_1));
            assertThat(database.row("acme", "invoice-indexer", 1)).containsEntry("status", "active");
        }
    }
}
