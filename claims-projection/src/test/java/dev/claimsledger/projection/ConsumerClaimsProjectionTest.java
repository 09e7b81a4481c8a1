package dev.claimsledger.projection;

import static dev.claimsledger.projection.ClaimEvents.deliver;
import static dev.claimsledger.projection.ClaimEvents.seq;
import static dev.claimsledger.projection.ProjectionDatabase.changed;
import static dev.claimsledger.projection.ProjectionDatabase.columns;
import static dev.claimsledger.projection.ProjectionDatabase.without;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.FindClaim;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.projection.ClaimEvents.Sequenced;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code consumer_claims} table as a specification: given the events already applied, when one more event is
 * delivered (with its sequence number, as the Axon processor delivers it), then the rows are exactly these. Rows are
 * read back raw, on a real H2 database in PostgreSQL mode whose schema the real Flyway migration made.
 */
class ConsumerClaimsProjectionTest {

    private static final String TENANT = "acme";
    private static final String CONSUMER = "invoice-indexer";
    private static final String ENTITY_URL = "https://entities.example/acme/invoices";
    private static final String STREAM_PATH = "/acme/invoices/events";
    private static final String WAKE_ID = "wake-7";
    private static final String RUNNER_ID = "runner-3";
    private static final long TTL_MS = 30_000;

    // ledger times, with microseconds as the database keeps them
    private static final Instant CLAIMED_AT = Instant.parse("2026-01-01T00:00:00.123456Z");
    private static final Instant FIRST_LEASE_END = Instant.parse("2026-01-01T00:00:30.123456Z");
    private static final Instant BEAT_1_AT = Instant.parse("2026-01-01T00:00:05.654321Z");
    private static final Instant BEAT_1_LEASE_END = Instant.parse("2026-01-01T00:00:35.654321Z");
    private static final Instant BEAT_2_AT = Instant.parse("2026-01-01T00:00:10.000001Z");
    private static final Instant BEAT_2_LEASE_END = Instant.parse("2026-01-01T00:00:40.000001Z");
    private static final Instant RELEASED_AT = Instant.parse("2026-01-01T00:00:12.345678Z");
    private static final Instant SUPERSEDED_AT = Instant.parse("2026-01-01T00:00:20.999999Z");
    private static final Instant EXPIRED_AT = Instant.parse("2026-01-01T00:00:40.500002Z");
    private static final Instant EPOCH_2_LEASE_END = Instant.parse("2026-01-01T00:00:50.999999Z");
    private static final Instant EPOCH_2_BEAT_AT = Instant.parse("2026-01-01T00:00:25.000007Z");
    private static final Instant EPOCH_2_BEAT_LEASE_END = Instant.parse("2026-01-01T00:00:55.000007Z");

    private static final List<AckedStream> ACKED = List.of(
            new AckedStream(STREAM_PATH, "offset-42"),
            new AckedStream("/acme/\"quoted\"/straße", "{\"partition\":3,\"offset\":17}"));

    private static final ClaimMaterialized MATERIALIZED = new ClaimMaterialized(TENANT, CONSUMER, 1, ENTITY_URL,
            STREAM_PATH, WAKE_ID, RUNNER_ID, TTL_MS, LeasePolicy.RENEW_ON_HEARTBEAT, CLAIMED_AT, FIRST_LEASE_END);
    private static final HeartbeatReceived BEAT_1 = new HeartbeatReceived(TENANT, CONSUMER, 1, BEAT_1_AT, null,
            BEAT_1_LEASE_END);
    private static final HeartbeatReceived BEAT_2 = new HeartbeatReceived(TENANT, CONSUMER, 1, BEAT_2_AT,
            Instant.parse("2025-12-31T23:59:59.999999Z"), BEAT_2_LEASE_END);
    private static final ClaimReleased RELEASED = new ClaimReleased(TENANT, CONSUMER, 1, RELEASED_AT, ACKED,
            BEAT_2_LEASE_END);
    private static final ClaimLeaseExpired EXPIRED = new ClaimLeaseExpired(TENANT, CONSUMER, 1, EXPIRED_AT,
            BEAT_2_LEASE_END);
    private static final ClaimSuperseded SUPERSEDED = new ClaimSuperseded(TENANT, CONSUMER, 1, 2, SUPERSEDED_AT,
            BEAT_2_LEASE_END);
    private static final ClaimMaterialized EPOCH_2_MATERIALIZED = new ClaimMaterialized(TENANT, CONSUMER, 2,
            ENTITY_URL, STREAM_PATH, "wake-8", "runner-4", TTL_MS, LeasePolicy.RENEW_ON_HEARTBEAT, SUPERSEDED_AT,
            EPOCH_2_LEASE_END);
    private static final HeartbeatReceived EPOCH_2_BEAT = new HeartbeatReceived(TENANT, CONSUMER, 2,
            EPOCH_2_BEAT_AT, null, EPOCH_2_BEAT_LEASE_END);

    private ProjectionDatabase database;
    private ConsumerClaimsProjection projection;
    private ConsumerClaimsQueries queries;

    @BeforeEach
    void setUp() {
        database = ProjectionDatabase.migrated();
        projection = new ConsumerClaimsProjection(database.jdbcTemplate());
        queries = new ConsumerClaimsQueries(database.jdbc());
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    // ---- each event

    @Test
    void timesAreWrittenAtTheOffsetUtcAsInstantAtOffsetGivesThem() {
        Random random = new Random(20261204);
        for (int i = 0; i < 10_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L),
                    random.nextInt(1_000_000_000));

            assertThat(ConsumerClaimsProjection.utc(instant)).isEqualTo(instant.atOffset(ZoneOffset.UTC));
        }
        assertThat(ConsumerClaimsProjection.utc(null)).isNull();
    }

    @Test
    void claimMaterializedInsertsAnActiveRowWithTheClaimsTermsAndNoHistoryYet() {
        // given an empty table

        // when
        deliver(projection, seq(0, MATERIALIZED));

        // then
        assertThat(database.table()).containsExactly(columns(
                "tenant_id", TENANT,
                "consumer_id", CONSUMER,
                "epoch", 1L,
                "wake_id", WAKE_ID,
                "entity_url", ENTITY_URL,
                "stream_path", STREAM_PATH,
                "runner_id", RUNNER_ID,
                "status", "active",
                "claimed_at", CLAIMED_AT,
                "last_heartbeat_at", null,
                "lease_expires_at", FIRST_LEASE_END,
                "released_at", null,
                "acked_streams", "[]",
                "updated_at", CLAIMED_AT,
                "lease_ttl_ms", TTL_MS,
                "lease_policy", "renew_on_heartbeat",
                "heartbeat_count", 0L,
                "ended_at", null,
                "end_reason", null,
                "last_event_sequence", 0L,
                "last_heartbeat_skew_ms", null));
    }

    @Test
    void claimMaterializedWithoutWakeOrRunnerStoresNullsAndTheFixedPolicysWireName() {
        // given an empty table

        // when
        deliver(projection, seq(4, new ClaimMaterialized(TENANT, CONSUMER, 3, ENTITY_URL, STREAM_PATH, null, null,
                5_000, LeasePolicy.FIXED, CLAIMED_AT, CLAIMED_AT.plusMillis(5_000))));

        // then
        assertThat(database.row(TENANT, CONSUMER, 3))
                .containsEntry("wake_id", null)
                .containsEntry("runner_id", null)
                .containsEntry("lease_ttl_ms", 5_000L)
                .containsEntry("lease_policy", "fixed")
                .containsEntry("lease_expires_at", Instant.parse("2026-01-01T00:00:05.123456Z"))
                .containsEntry("last_event_sequence", 4L);
    }

    @Test
    void heartbeatsRecordTheLastBeatMoveTheLeaseAndAreCounted() {
        // given
        deliver(projection, seq(0, MATERIALIZED));
        Map<String, Object> before = database.row(TENANT, CONSUMER, 1);

        // when
        deliver(projection, seq(1, BEAT_1), seq(2, BEAT_2));

        // then BEAT_2's worker clock was 10.000002 s behind the ledger's (whole milliseconds, towards zero)
        assertThat(database.row(TENANT, CONSUMER, 1)).isEqualTo(changed(before,
                "last_heartbeat_at", BEAT_2_AT,
                "lease_expires_at", BEAT_2_LEASE_END,
                "heartbeat_count", 2L,
                "updated_at", BEAT_2_AT,
                "last_event_sequence", 2L,
                "last_heartbeat_skew_ms", -10_000L));
    }

    @Test
    void theSkewIsTheLastHeartbeatsOwnAndAHeartbeatWithoutAReportedTimeClearsIt() {
        // given
        deliver(projection, seq(0, MATERIALIZED), seq(1, new HeartbeatReceived(TENANT, CONSUMER, 1, BEAT_1_AT,
                BEAT_1_AT.plusMillis(250), BEAT_1_LEASE_END)));
        assertThat(database.row(TENANT, CONSUMER, 1)).containsEntry("last_heartbeat_skew_ms", 250L);

        // when
        deliver(projection, seq(2, new HeartbeatReceived(TENANT, CONSUMER, 1, BEAT_2_AT, null, BEAT_2_LEASE_END)));

        // then
        assertThat(database.row(TENANT, CONSUMER, 1)).containsEntry("last_heartbeat_skew_ms", null);
    }

    @Test
    void anEndKeepsTheSkewOfTheLastHeartbeat() {
        // given
        deliver(projection, seq(0, MATERIALIZED), seq(1, BEAT_2));

        // when
        deliver(projection, seq(2, RELEASED));

        // then
        assertThat(database.row(TENANT, CONSUMER, 1)).containsEntry("last_heartbeat_skew_ms", -10_000L);
    }

    @Test
    void claimReleasedEndsTheRowAsReleasedAtTheReleaseTime() {
        // given
        deliver(projection, seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2));
        Map<String, Object> before = database.row(TENANT, CONSUMER, 1);

        // when
        deliver(projection, seq(3, RELEASED));

        // then (acked_streams: see the round-trip test)
        assertThat(without(database.row(TENANT, CONSUMER, 1), "acked_streams")).isEqualTo(without(changed(before,
                "status", "released",
                "released_at", RELEASED_AT,
                "ended_at", RELEASED_AT,
                "end_reason", "released",
                "lease_expires_at", BEAT_2_LEASE_END,
                "updated_at", RELEASED_AT,
                "last_event_sequence", 3L), "acked_streams"));
    }

    @Test
    void theAckedStreamsOfAReleaseReadBackWithTheirPathsAndOffsets() {
        // given
        deliver(projection, seq(0, MATERIALIZED));

        // when
        deliver(projection, seq(1, RELEASED));

        // then
        assertThat(queries.handle(new FindClaim(TENANT, CONSUMER, 1)))
                .get()
                .extracting(ClaimState::ackedStreams)
                .isEqualTo(ACKED);
    }

    @Test
    void aReleaseWithoutAckedStreamsStoresAnEmptyList() {
        // given
        deliver(projection, seq(0, MATERIALIZED));

        // when
        deliver(projection, seq(1, new ClaimReleased(TENANT, CONSUMER, 1, RELEASED_AT, null, FIRST_LEASE_END)));

        // then
        assertThat(queries.handle(new FindClaim(TENANT, CONSUMER, 1)))
                .get()
                .satisfies(claim -> assertThat(claim.ackedStreams()).isEmpty());
        assertThat(database.row(TENANT, CONSUMER, 1)).containsEntry("acked_streams", "[]");
    }

    @Test
    void claimLeaseExpiredEndsTheRowAsExpiredAtTheExpiryTime() {
        // given
        deliver(projection, seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2));
        Map<String, Object> before = database.row(TENANT, CONSUMER, 1);

        // when
        deliver(projection, seq(3, EXPIRED));

        // then
        assertThat(database.row(TENANT, CONSUMER, 1)).isEqualTo(changed(before,
                "status", "expired",
                "ended_at", EXPIRED_AT,
                "end_reason", "expired",
                "lease_expires_at", BEAT_2_LEASE_END,
                "updated_at", EXPIRED_AT,
                "last_event_sequence", 3L));
    }

    @Test
    void claimSupersededEndsTheRowAsSupersededAtTheSupersedingTime() {
        // given
        deliver(projection, seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2));
        Map<String, Object> before = database.row(TENANT, CONSUMER, 1);

        // when
        deliver(projection, seq(3, SUPERSEDED));

        // then
        assertThat(database.row(TENANT, CONSUMER, 1)).isEqualTo(changed(before,
                "status", "superseded",
                "ended_at", SUPERSEDED_AT,
                "end_reason", "superseded",
                "lease_expires_at", BEAT_2_LEASE_END,
                "updated_at", SUPERSEDED_AT,
                "last_event_sequence", 3L));
    }

    // ---- redelivery and replays

    /** A history, and one of its events delivered again with its own sequence number. */
    record Redelivery(List<Sequenced> history, Sequenced again) {
    }

    static Stream<Arguments> eventsDeliveredTwice() {
        return Stream.of(
                redelivery("ClaimMaterialized", List.of(seq(0, MATERIALIZED)), seq(0, MATERIALIZED)),
                redelivery("HeartbeatReceived", List.of(seq(0, MATERIALIZED), seq(1, BEAT_1)), seq(1, BEAT_1)),
                redelivery("ClaimReleased", List.of(seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, RELEASED)),
                        seq(2, RELEASED)),
                redelivery("ClaimLeaseExpired", List.of(seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, EXPIRED)),
                        seq(2, EXPIRED)),
                redelivery("ClaimSuperseded", List.of(seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, SUPERSEDED)),
                        seq(2, SUPERSEDED)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventsDeliveredTwice")
    void anEventDeliveredAgainWithItsSequenceNumberChangesNothing(Redelivery redelivery) {
        // given
        deliver(projection, redelivery.history());
        List<Map<String, Object>> tableBefore = database.table();
        Optional<ClaimState> claimBefore = queries.handle(new FindClaim(TENANT, CONSUMER, 1));

        // when
        deliver(projection, redelivery.again());

        // then
        assertThat(database.table()).isEqualTo(tableBefore);
        assertThat(queries.handle(new FindClaim(TENANT, CONSUMER, 1))).isEqualTo(claimBefore);
    }

    static Stream<Arguments> olderEventsAfterNewerOnes() {
        return Stream.of(
                redelivery("an older heartbeat after a newer one",
                        List.of(seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2)), seq(1, BEAT_1)),
                redelivery("a heartbeat after the release",
                        List.of(seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2), seq(3, RELEASED)),
                        seq(2, BEAT_2)),
                redelivery("a heartbeat after the expiry",
                        List.of(seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2), seq(3, EXPIRED)),
                        seq(1, BEAT_1)),
                redelivery("a heartbeat after the superseding",
                        List.of(seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2), seq(3, SUPERSEDED)),
                        seq(2, BEAT_2)),
                redelivery("an older release after a later heartbeat",
                        List.of(seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2)), seq(1, RELEASED)),
                redelivery("an older expiry after a later heartbeat",
                        List.of(seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2)), seq(1, EXPIRED)),
                redelivery("an older superseding after a later heartbeat",
                        List.of(seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2)), seq(1, SUPERSEDED)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("olderEventsAfterNewerOnes")
    void anOlderEventDeliveredAfterANewerOneChangesNothing(Redelivery redelivery) {
        // given
        deliver(projection, redelivery.history());
        List<Map<String, Object>> tableBefore = database.table();
        Optional<ClaimState> claimBefore = queries.handle(new FindClaim(TENANT, CONSUMER, 1));

        // when
        deliver(projection, redelivery.again());

        // then
        assertThat(database.table()).isEqualTo(tableBefore);
        assertThat(queries.handle(new FindClaim(TENANT, CONSUMER, 1))).isEqualTo(claimBefore);
    }

    @Test
    void aMaterializeReplayedAfterLaterEventsDoesNotResetTheRow() {
        // given
        deliver(projection, seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, RELEASED));
        List<Map<String, Object>> tableBefore = database.table();
        Optional<ClaimState> claimBefore = queries.handle(new FindClaim(TENANT, CONSUMER, 1));

        // when
        deliver(projection, seq(0, MATERIALIZED));

        // then
        assertThat(database.table()).isEqualTo(tableBefore);
        assertThat(queries.handle(new FindClaim(TENANT, CONSUMER, 1))).isEqualTo(claimBefore);
        assertThat(database.row(TENANT, CONSUMER, 1))
                .containsEntry("status", "released")
                .containsEntry("heartbeat_count", 1L);
    }

    // ---- epochs

    @Test
    void eachEpochOfAConsumerIsARowOfItsOwn() {
        // given
        deliver(projection, seq(0, MATERIALIZED), seq(1, BEAT_1));

        // when the next epoch is claimed: the first one is superseded in the same stream
        deliver(projection, seq(2, SUPERSEDED), seq(3, EPOCH_2_MATERIALIZED), seq(4, EPOCH_2_BEAT));

        // then
        assertThat(database.table()).hasSize(2);
        assertThat(database.row(TENANT, CONSUMER, 1))
                .containsEntry("status", "superseded")
                .containsEntry("wake_id", WAKE_ID)
                .containsEntry("runner_id", RUNNER_ID)
                .containsEntry("heartbeat_count", 1L)
                .containsEntry("last_heartbeat_at", BEAT_1_AT)
                .containsEntry("ended_at", SUPERSEDED_AT)
                .containsEntry("last_event_sequence", 2L);
        assertThat(database.row(TENANT, CONSUMER, 2))
                .containsEntry("status", "active")
                .containsEntry("wake_id", "wake-8")
                .containsEntry("runner_id", "runner-4")
                .containsEntry("claimed_at", SUPERSEDED_AT)
                .containsEntry("heartbeat_count", 1L)
                .containsEntry("last_heartbeat_at", EPOCH_2_BEAT_AT)
                .containsEntry("lease_expires_at", EPOCH_2_BEAT_LEASE_END)
                .containsEntry("ended_at", null)
                .containsEntry("last_event_sequence", 4L);
    }

    // ---- reset and rebuild

    private static final List<Sequenced> HISTORY = List.of(
            seq(0, MATERIALIZED), seq(1, BEAT_1), seq(2, BEAT_2), seq(3, SUPERSEDED), seq(4, EPOCH_2_MATERIALIZED),
            seq(5, EPOCH_2_BEAT), seq(6, new ClaimReleased(TENANT, CONSUMER, 2, EXPIRED_AT, ACKED,
                    EPOCH_2_BEAT_LEASE_END)),
            seq(0, new ClaimMaterialized(TENANT, "mailer", 9, ENTITY_URL, "/acme/mail", null, RUNNER_ID, 1_000,
                    LeasePolicy.FIXED, CLAIMED_AT, CLAIMED_AT.plusMillis(1_000))),
            seq(1, new ClaimLeaseExpired(TENANT, "mailer", 9, EXPIRED_AT, CLAIMED_AT.plusMillis(1_000))),
            seq(0, new ClaimMaterialized("globex", CONSUMER, 1, ENTITY_URL, STREAM_PATH, WAKE_ID, RUNNER_ID, TTL_MS,
                    LeasePolicy.RENEW_ON_HEARTBEAT, CLAIMED_AT, FIRST_LEASE_END)));

    @Test
    void theResetHandlerEmptiesTheTable() {
        // given
        deliver(projection, HISTORY);
        assertThat(database.table()).hasSize(4);

        // when
        projection.reset();

        // then
        assertThat(database.table()).isEmpty();
    }

    @Test
    void replayingTheEventsAfterAResetRebuildsAnIdenticalTable() {
        // given
        deliver(projection, HISTORY);
        List<Map<String, Object>> tableBefore = database.table();

        // when
        projection.reset();
        assertThat(database.table()).isEmpty();
        deliver(projection, HISTORY);

        // then
        assertThat(database.table()).hasSize(4).isEqualTo(tableBefore);
    }

    private static Arguments redelivery(String name, List<Sequenced> history, Sequenced again) {
        return Arguments.of(Named.of(name + " (" + again + ")", new Redelivery(history, again)));
    }
}
