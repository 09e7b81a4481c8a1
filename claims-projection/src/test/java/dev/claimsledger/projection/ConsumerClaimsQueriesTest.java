package dev.claimsledger.projection;

import static dev.claimsledger.projection.ClaimEvents.deliver;
import static dev.claimsledger.projection.ClaimEvents.seq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimPage;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.FindClaim;
import dev.claimsledger.api.FindClaims;
import dev.claimsledger.api.FindRunnerHealth;
import dev.claimsledger.api.FindRunners;
import dev.claimsledger.api.FindTenants;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.RunnerHealth;
import dev.claimsledger.api.RunnerPage;
import dev.claimsledger.api.RunnerSummary;
import dev.claimsledger.api.TenantPage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read-model queries as a specification: given the claims the projection has stored (from events, on a real H2
 * database in PostgreSQL mode made by the real migration), when a query is asked, then it answers exactly these
 * claims. Claims are named {@code consumer#epoch} in the assertions.
 */
class ConsumerClaimsQueriesTest {

    private static final String TENANT = "acme";
    private static final String OTHER_TENANT = "globex";
    private static final String ORDERS = "https://entities.example/acme/orders";
    private static final String INVOICES = "https://entities.example/acme/invoices";
    private static final String MAIL = "https://entities.example/acme/mail";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456Z");
    private static final long TTL_MS = 30_000;

    private ProjectionDatabase database;
    private ConsumerClaimsProjection projection;
    private ConsumerClaimsQueries queries;
    private long sequence;

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

    // ---- FindClaim

    @Test
    void findClaimAnswersAnEndedClaimWithEveryFieldAsTheEventsLeftIt() {
        // given
        Instant claimedAt = Instant.parse("2026-01-01T00:00:00.123456Z");
        Instant beatAt = Instant.parse("2026-01-01T00:00:07.000042Z");
        Instant leaseEnd = Instant.parse("2026-01-01T00:00:37.000042Z");
        Instant releasedAt = Instant.parse("2026-01-01T00:00:09.999999Z");
        List<AckedStream> acked = List.of(new AckedStream("/acme/orders/events", "1042"),
                new AckedStream("/acme/orders/dlq", null));
        deliver(projection,
                seq(0, new ClaimMaterialized(TENANT, "order-indexer", 4, ORDERS, "/acme/orders/events", "wake-1",
                        "runner-1", TTL_MS, LeasePolicy.RENEW_ON_HEARTBEAT, claimedAt,
                        claimedAt.plusMillis(TTL_MS))),
                seq(1, new HeartbeatReceived(TENANT, "order-indexer", 4, beatAt, null, leaseEnd)),
                seq(2, new ClaimReleased(TENANT, "order-indexer", 4, releasedAt, acked, leaseEnd)));

        // when
        var found = queries.handle(new FindClaim(TENANT, "order-indexer", 4));

        // then
        assertThat(found).contains(new ClaimState(TENANT, "order-indexer", 4, ORDERS, "/acme/orders/events",
                "wake-1", "runner-1", ClaimStatus.RELEASED, claimedAt, beatAt, leaseEnd, TTL_MS,
                LeasePolicy.RENEW_ON_HEARTBEAT, releasedAt, releasedAt, "released", acked, 1, releasedAt));
    }

    @Test
    void findClaimAnswersAnExpiredClaimWithItsEndButNoRelease() {
        // given
        Instant leaseEnd = T0.plusMillis(TTL_MS);
        Instant expiredAt = Instant.parse("2026-01-01T00:00:31.000777Z");
        deliver(projection,
                seq(0, new ClaimMaterialized(TENANT, "mailer", 2, MAIL, "/acme/mail", "wake-2", "runner-2", TTL_MS,
                        LeasePolicy.FIXED, T0, leaseEnd)),
                seq(1, new ClaimLeaseExpired(TENANT, "mailer", 2, expiredAt, leaseEnd)));

        // when
        var found = queries.handle(new FindClaim(TENANT, "mailer", 2));

        // then
        assertThat(found).contains(new ClaimState(TENANT, "mailer", 2, MAIL, "/acme/mail", "wake-2", "runner-2",
                ClaimStatus.EXPIRED, T0, null, leaseEnd, TTL_MS, LeasePolicy.FIXED, null, expiredAt, "expired",
                List.of(), 0, expiredAt));
    }

    @Test
    void findClaimAnswersAFreshClaimWithoutTheOptionalFields() {
        // given
        Instant leaseEnd = T0.plusMillis(5_000);
        deliver(projection, seq(0, new ClaimMaterialized(TENANT, "mailer", 1, MAIL, "/acme/mail", null, null, 5_000,
                LeasePolicy.FIXED, T0, leaseEnd)));

        // when
        var found = queries.handle(new FindClaim(TENANT, "mailer", 1));

        // then
        assertThat(found).contains(new ClaimState(TENANT, "mailer", 1, MAIL, "/acme/mail", null, null,
                ClaimStatus.ACTIVE, T0, null, leaseEnd, 5_000, LeasePolicy.FIXED, null, null, null, List.of(), 0, T0));
    }

    @Test
    void findClaimAnswersNothingWhenNoRowHasThatTenantConsumerAndEpoch() {
        // given
        claim(TENANT, "mailer", 1, "runner-1", MAIL, ClaimStatus.ACTIVE);

        // when / then
        assertThat(queries.handle(new FindClaim(TENANT, "mailer", 2))).isEmpty();
        assertThat(queries.handle(new FindClaim(TENANT, "order-indexer", 1))).isEmpty();
        assertThat(queries.handle(new FindClaim(OTHER_TENANT, "mailer", 1))).isEmpty();
    }

    // ---- FindClaims: filters and limit

    /** Six claims of the tenant and one of another tenant with the same consumer and epoch as one of them. */
    private void givenTheTenantsClaims() {
        claim(TENANT, "c-a", 1, "runner-1", ORDERS, ClaimStatus.SUPERSEDED);
        claim(TENANT, "c-a", 2, "runner-1", ORDERS, ClaimStatus.ACTIVE);
        claim(TENANT, "c-b", 1, "runner-2", INVOICES, ClaimStatus.RELEASED);
        claim(TENANT, "c-c", 1, "runner-1", INVOICES, ClaimStatus.EXPIRED);
        claim(TENANT, "c-d", 1, "runner-2", ORDERS, ClaimStatus.ACTIVE);
        claim(TENANT, "c-e", 1, null, MAIL, ClaimStatus.ACTIVE);
        claim(OTHER_TENANT, "c-a", 2, "runner-1", ORDERS, ClaimStatus.ACTIVE);
    }

    @Test
    void findClaimsWithoutFiltersAnswersAllOfTheTenantsClaimsInConsumerAndEpochOrder() {
        // given
        givenTheTenantsClaims();

        // when
        ClaimPage page = queries.handle(new FindClaims(TENANT, null, null, null, 100, null));

        // then
        assertThat(keys(page)).containsExactly("c-a#1", "c-a#2", "c-b#1", "c-c#1", "c-d#1", "c-e#1");
        assertThat(page.claims()).extracting(ClaimState::tenantId).containsOnly(TENANT);
        assertThat(page.nextCursor()).isNull();
    }

    @Test
    void findClaimsFiltersByStatus() {
        // given
        givenTheTenantsClaims();

        // when / then
        assertThat(keys(queries.handle(new FindClaims(TENANT, ClaimStatus.ACTIVE, null, null, 100, null))))
                .containsExactly("c-a#2", "c-d#1", "c-e#1");
        assertThat(keys(queries.handle(new FindClaims(TENANT, ClaimStatus.RELEASED, null, null, 100, null))))
                .containsExactly("c-b#1");
        assertThat(keys(queries.handle(new FindClaims(TENANT, ClaimStatus.EXPIRED, null, null, 100, null))))
                .containsExactly("c-c#1");
        assertThat(keys(queries.handle(new FindClaims(TENANT, ClaimStatus.SUPERSEDED, null, null, 100, null))))
                .containsExactly("c-a#1");
    }

    @Test
    void findClaimsFiltersByRunner() {
        // given
        givenTheTenantsClaims();

        // when
        ClaimPage page = queries.handle(new FindClaims(TENANT, null, "runner-1", null, 100, null));

        // then
        assertThat(keys(page)).containsExactly("c-a#1", "c-a#2", "c-c#1");
    }

    @Test
    void findClaimsFiltersByEntityUrl() {
        // given
        givenTheTenantsClaims();

        // when
        ClaimPage page = queries.handle(new FindClaims(TENANT, null, null, INVOICES, 100, null));

        // then
        assertThat(keys(page)).containsExactly("c-b#1", "c-c#1");
    }

    @Test
    void findClaimsAppliesEveryGivenFilterTogether() {
        // given
        givenTheTenantsClaims();

        // when
        ClaimPage page = queries.handle(new FindClaims(TENANT, ClaimStatus.ACTIVE, "runner-1", ORDERS, 100, null));

        // then
        assertThat(keys(page)).containsExactly("c-a#2");
    }

    @Test
    void findClaimsAnswersAtMostLimitClaimsAndACursorWhenMoreFollow() {
        // given
        givenTheTenantsClaims();

        // when
        ClaimPage page = queries.handle(new FindClaims(TENANT, null, null, null, 2, null));

        // then
        assertThat(keys(page)).containsExactly("c-a#1", "c-a#2");
        assertThat(page.nextCursor()).isNotNull();
    }

    @Test
    void findClaimsGivesNoCursorWhenTheClaimsExactlyFillThePage() {
        // given
        givenTheTenantsClaims();

        // when
        ClaimPage page = queries.handle(new FindClaims(TENANT, null, null, null, 6, null));

        // then
        assertThat(page.claims()).hasSize(6);
        assertThat(page.nextCursor()).isNull();
    }

    @Test
    void findClaimsFiltersByConsumerIdExactly() {
        // given
        givenTheTenantsClaims();

        // when / then
        assertThat(keys(queries.handle(new FindClaims(TENANT, null, null, null, "c-a", 100, null))))
                .containsExactly("c-a#1", "c-a#2");
        assertThat(keys(queries.handle(new FindClaims(TENANT, ClaimStatus.ACTIVE, null, null, "c-a", 100, null))))
                .containsExactly("c-a#2");
        assertThat(queries.handle(new FindClaims(TENANT, null, null, null, "c-", 100, null)).claims()).isEmpty();
    }

    // ---- FindClaims: paging

    /** Nine claims, stored out of order; consumer ids and epochs whose text order differs from their number order. */
    private static final List<String> NINE_IN_ORDER = List.of(
            "c-1#1", "c-1#2", "c-1#10", "c-10#1", "c-10#2", "c-10#10", "c-2#1", "c-2#2", "c-2#10");

    private void givenNineClaims() {
        String[] consumers = {"c-2", "c-10", "c-1"};
        long[] epochs = {10, 1, 2};
        for (String consumer : consumers) {
            for (long epoch : epochs) {
                claim(TENANT, consumer, epoch, "runner-" + epoch % 3, ORDERS,
                        epoch == 10 ? ClaimStatus.ACTIVE : ClaimStatus.SUPERSEDED);
            }
        }
        claim(OTHER_TENANT, "c-1", 5, "runner-1", ORDERS, ClaimStatus.ACTIVE);
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {1, 2, 3, 4, 8, 9, 10})
    void followingTheCursorVisitsEveryClaimExactlyOnceInConsumerAndEpochOrder(int limit) {
        // given
        givenNineClaims();

        // when
        List<ClaimPage> pages = allPages(new FindClaims(TENANT, null, null, null, limit, null));

        // then
        assertThat(pages.stream().flatMap(page -> keys(page).stream()).toList()).isEqualTo(NINE_IN_ORDER);
        assertThat(pages).hasSize((NINE_IN_ORDER.size() + limit - 1) / limit);
        assertThat(pages).allSatisfy(page -> assertThat(page.claims()).hasSizeBetween(1, limit));
        assertThat(pages.subList(0, pages.size() - 1)).allSatisfy(page -> assertThat(page.nextCursor()).isNotNull());
        assertThat(pages.get(pages.size() - 1).nextCursor()).isNull();
    }

    @Test
    void followingTheCursorKeepsTheFiltersOnEveryPage() {
        // given
        givenNineClaims();

        // when
        List<ClaimPage> pages = allPages(new FindClaims(TENANT, ClaimStatus.SUPERSEDED, null, null, 4, null));

        // then
        assertThat(pages.stream().flatMap(page -> keys(page).stream()).toList())
                .containsExactly("c-1#1", "c-1#2", "c-10#1", "c-10#2", "c-2#1", "c-2#2");
        assertThat(pages).hasSize(2);
    }

    @Test
    void findClaimsRefusesACursorItDidNotGiveOut() {
        // given
        givenNineClaims();

        // when / then
        assertThatThrownBy(() -> queries.handle(new FindClaims(TENANT, null, null, null, 2, "not a cursor")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- tenants

    @Test
    void aTenantSeesOnlyItsOwnClaimsEvenWhereConsumerAndEpochAreTheSame() {
        // given
        givenTheTenantsClaims();

        // when
        ClaimPage otherTenantsClaims = queries.handle(new FindClaims(OTHER_TENANT, null, null, null, 100, null));

        // then
        assertThat(keys(otherTenantsClaims)).containsExactly("c-a#2");
        assertThat(otherTenantsClaims.claims()).extracting(ClaimState::tenantId).containsOnly(OTHER_TENANT);
        assertThat(queries.handle(new FindClaim(OTHER_TENANT, "c-a", 2))).get()
                .extracting(ClaimState::tenantId).isEqualTo(OTHER_TENANT);
        assertThat(queries.handle(new FindClaim(OTHER_TENANT, "c-a", 1))).isEmpty();
        assertThat(queries.handle(new FindClaims("initech", null, null, null, 100, null)).claims()).isEmpty();
    }

    // ---- FindRunnerHealth

    @Test
    void runnerHealthCountsOnlyTheActiveClaimsOfThatRunnerInThatTenant() {
        // given
        claim(TENANT, "w-2", 1, "runner-1", ORDERS, ClaimStatus.ACTIVE);
        claim(TENANT, "w-1", 3, "runner-1", INVOICES, ClaimStatus.ACTIVE);
        claim(TENANT, "w-3", 1, "runner-1", ORDERS, ClaimStatus.RELEASED);
        claim(TENANT, "w-4", 1, "runner-1", ORDERS, ClaimStatus.EXPIRED);
        claim(TENANT, "w-5", 1, "runner-1", ORDERS, ClaimStatus.SUPERSEDED);
        claim(TENANT, "w-5", 2, "runner-2", ORDERS, ClaimStatus.ACTIVE);
        claim(TENANT, "w-6", 1, null, ORDERS, ClaimStatus.ACTIVE);
        claim(OTHER_TENANT, "w-7", 1, "runner-1", ORDERS, ClaimStatus.ACTIVE);

        // when
        RunnerHealth health = queries.handle(new FindRunnerHealth(TENANT, "runner-1"));

        // then
        assertThat(health.runnerId()).isEqualTo("runner-1");
        assertThat(health.activeCount()).isEqualTo(2);
        assertThat(keys(health.active())).containsExactly("w-1#3", "w-2#1");
        assertThat(health.active()).allSatisfy(claim -> {
            assertThat(claim.tenantId()).isEqualTo(TENANT);
            assertThat(claim.runnerId()).isEqualTo("runner-1");
            assertThat(claim.status()).isEqualTo(ClaimStatus.ACTIVE);
        });
    }

    @Test
    void runnerHealthOfARunnerWhoseClaimsAllEndedIsEmpty() {
        // given
        claim(TENANT, "w-1", 1, "runner-1", ORDERS, ClaimStatus.RELEASED);
        claim(TENANT, "w-2", 1, "runner-1", ORDERS, ClaimStatus.EXPIRED);
        claim(OTHER_TENANT, "w-3", 1, "runner-1", ORDERS, ClaimStatus.ACTIVE);

        // when
        RunnerHealth health = queries.handle(new FindRunnerHealth(TENANT, "runner-1"));

        // then
        assertThat(health).isEqualTo(new RunnerHealth("runner-1", 0, List.of()));
    }

    // ---- FindRunners

    @Test
    void findRunnersCountsEachRunnersActiveClaimsOfTheTenantInRunnerOrder() {
        // given
        claim(TENANT, "w-1", 1, "runner-b", ORDERS, ClaimStatus.ACTIVE);
        claim(TENANT, "w-2", 1, "runner-b", ORDERS, ClaimStatus.ACTIVE);
        claim(TENANT, "w-3", 1, "runner-b", ORDERS, ClaimStatus.RELEASED);
        claim(TENANT, "w-4", 1, "runner-a", ORDERS, ClaimStatus.ACTIVE);
        claim(TENANT, "w-5", 1, "runner-c", ORDERS, ClaimStatus.EXPIRED);
        claim(TENANT, "w-6", 1, null, ORDERS, ClaimStatus.ACTIVE);
        claim(OTHER_TENANT, "w-7", 1, "runner-a", ORDERS, ClaimStatus.ACTIVE);

        // when
        RunnerPage page = queries.handle(new FindRunners(TENANT, 100, null));

        // then runner-c holds nothing any more, and a claim without a runner is nobody's
        assertThat(page.runners()).extracting(RunnerSummary::runnerId, RunnerSummary::activeCount)
                .containsExactly(tuple("runner-a", 1L), tuple("runner-b", 2L));
        assertThat(page.nextCursor()).isNull();
    }

    @Test
    void findRunnersGivesTheSkewOfTheLastHeartbeatsOfTheRunnersActiveClaims() {
        // given
        claim(TENANT, "w-1", 1, "runner-a", ORDERS, ClaimStatus.ACTIVE);
        claim(TENANT, "w-2", 1, "runner-a", ORDERS, ClaimStatus.ACTIVE);
        claim(TENANT, "w-3", 1, "runner-a", ORDERS, ClaimStatus.ACTIVE);
        claim(TENANT, "w-4", 1, "runner-a", ORDERS, ClaimStatus.ACTIVE);
        Instant beat = T0.plusSeconds(5);
        heartbeat(TENANT, "w-1", 1, beat, beat.plusMillis(900));
        heartbeat(TENANT, "w-1", 1, beat.plusSeconds(1), beat.plusSeconds(1).minusMillis(120));
        heartbeat(TENANT, "w-2", 1, beat.plusSeconds(2), beat.plusSeconds(2).plusMillis(300));
        heartbeat(TENANT, "w-3", 1, beat.plusSeconds(3), null);

        // when
        RunnerSummary runner = queries.handle(new FindRunners(TENANT, 100, null)).runners().get(0);

        // then w-1's last heartbeat counts (-120), w-2's (+300); w-3 reported no time and w-4 never beat
        assertThat(runner).isEqualTo(new RunnerSummary("runner-a", 4, beat.plusSeconds(3), 2, -120L, 300L, 90L));
    }

    @Test
    void aRunnerWithoutReportedTimesHasNoSkew() {
        // given
        claim(TENANT, "w-1", 1, "runner-a", ORDERS, ClaimStatus.ACTIVE);

        // when
        RunnerSummary runner = queries.handle(new FindRunners(TENANT, 100, null)).runners().get(0);

        // then
        assertThat(runner).isEqualTo(new RunnerSummary("runner-a", 1, null, 0, null, null, null));
    }

    @Test
    void followingTheRunnersCursorVisitsEveryRunnerOnce() {
        // given
        for (String runner : List.of("r-3", "r-1", "r-5", "r-2", "r-4")) {
            claim(TENANT, "w-" + runner, 1, runner, ORDERS, ClaimStatus.ACTIVE);
        }

        // when
        List<String> seen = new ArrayList<>();
        List<String> cursors = new ArrayList<>();
        String cursor = null;
        do {
            RunnerPage page = queries.handle(new FindRunners(TENANT, 2, cursor));
            page.runners().forEach(runner -> seen.add(runner.runnerId()));
            cursor = page.nextCursor();
            cursors.add(cursor);
        } while (cursor != null && cursors.size() < 10);

        // then
        assertThat(seen).containsExactly("r-1", "r-2", "r-3", "r-4", "r-5");
        assertThat(cursors).hasSize(3);
    }

    @Test
    void findRunnersRefusesACursorItDidNotGiveOut() {
        assertThatThrownBy(() -> queries.handle(new FindRunners(TENANT, 2, "not a cursor")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- FindTenants

    @Test
    void findTenantsPagesThroughTheTenantsThatHaveClaimsEachOnce() {
        // given
        for (String tenant : List.of("t-b", "t-a", "t-c")) {
            claim(tenant, "w-1", 1, "runner-1", ORDERS, ClaimStatus.ACTIVE);
            claim(tenant, "w-2", 1, "runner-1", ORDERS, ClaimStatus.RELEASED);
        }

        // when
        TenantPage first = queries.handle(new FindTenants(2, null));
        TenantPage second = queries.handle(new FindTenants(2, first.nextCursor()));

        // then
        assertThat(first.tenants()).containsExactly("t-a", "t-b");
        assertThat(first.nextCursor()).isNotNull();
        assertThat(second.tenants()).containsExactly("t-c");
        assertThat(second.nextCursor()).isNull();
    }

    @Test
    void findTenantsOfAnEmptyReadModelIsEmpty() {
        assertThat(queries.handle(new FindTenants(10, null))).isEqualTo(new TenantPage(List.of(), null));
    }

    // ---- helpers

    private void heartbeat(String tenant, String consumer, long epoch, Instant receivedAt, Instant reportedAt) {
        deliver(projection, seq(sequence++, new HeartbeatReceived(tenant, consumer, epoch, receivedAt, reportedAt,
                receivedAt.plusMillis(TTL_MS))));
    }


    /** Stores one claim, ending it as {@code status} says, through the projection's event handlers. */
    private void claim(String tenant, String consumer, long epoch, String runner, String entityUrl,
                       ClaimStatus status) {
        Instant claimedAt = T0.plusSeconds(epoch);
        Instant leaseEnd = claimedAt.plusMillis(TTL_MS);
        deliver(projection, seq(sequence++, new ClaimMaterialized(tenant, consumer, epoch, entityUrl,
                "/streams/" + consumer, "wake-" + consumer, runner, TTL_MS, LeasePolicy.RENEW_ON_HEARTBEAT,
                claimedAt, leaseEnd)));
        Instant endedAt = claimedAt.plusSeconds(1);
        switch (status) {
            case ACTIVE -> {
            }
            case RELEASED -> deliver(projection, seq(sequence++,
                    new ClaimReleased(tenant, consumer, epoch, endedAt, List.of(), leaseEnd)));
            case EXPIRED -> deliver(projection, seq(sequence++,
                    new ClaimLeaseExpired(tenant, consumer, epoch, leaseEnd, leaseEnd)));
            case SUPERSEDED -> deliver(projection, seq(sequence++,
                    new ClaimSuperseded(tenant, consumer, epoch, epoch + 1, endedAt, leaseEnd)));
        }
    }

    private List<ClaimPage> allPages(FindClaims first) {
        List<ClaimPage> pages = new ArrayList<>();
        FindClaims query = first;
        while (true) {
            ClaimPage page = queries.handle(query);
            pages.add(page);
            if (page.nextCursor() == null || pages.size() > 100) {
                return pages;
            }
            query = new FindClaims(first.tenantId(), first.status(), first.runnerId(), first.entityUrl(),
                    first.limit(), page.nextCursor());
        }
    }

    private static List<String> keys(ClaimPage page) {
        return keys(page.claims());
    }

    private static List<String> keys(List<ClaimState> claims) {
        return claims.stream().map(claim -> claim.consumerId() + "#" + claim.epoch()).toList();
    }
}
