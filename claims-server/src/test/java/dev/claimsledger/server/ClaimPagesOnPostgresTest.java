package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.api.ClaimPage;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.FindClaim;
import dev.claimsledger.api.FindClaims;
import dev.claimsledger.api.FindRunnerHealth;
import dev.claimsledger.api.FindRunners;
import dev.claimsledger.api.FindTenants;
import dev.claimsledger.api.RunnerPage;
import dev.claimsledger.api.TenantPage;
import dev.claimsledger.projection.ConsumerClaimsQueries;
import dev.claimsledger.server.support.PlanRecordingDataSource;
import dev.claimsledger.server.support.PlanRecordingDataSource.Plan;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.util.List;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Every page the operator's page asks for stays a small read at 100,000 claims: on PostgreSQL, with the schema the
 * migrations make, each query the read model's handlers send is run under {@code EXPLAIN ANALYZE}, and the rows its
 * scans read are counted. A page of 50 may read a few hundred rows, never the table. The claims: 100,000 of tenant
 * {@code acme}, 2% of them active, spread over 50 runners and 1,000 entities, beside 20 small tenants.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaimPagesOnPostgresTest {

    private static final int PAGE = 50;
    /** Rows a page of 50 may read: the page, the row that tells whether more follow, and some slack. */
    private static final long SMALL_READ = 200;

    private PlanRecordingDataSource dataSource;
    private ConsumerClaimsQueries queries;

    @BeforeAll
    void givenOneHundredThousandClaims() {
        TestDatabase database = TestDatabase.freshPostgresSchema();
        DriverManagerDataSource postgres = new DriverManagerDataSource(database.jdbcUrl(), database.user(),
                database.password());
        Flyway.configure().dataSource(postgres).locations("classpath:db/migration")
                .schemas((String) database.properties().get("spring.flyway.schemas")).createSchemas(true)
                .load().migrate();
        JdbcClient jdbc = JdbcClient.create(postgres);
        insertClaims(jdbc, "'acme'", 100_000);
        insertClaims(jdbc, "'other-' || lpad((i % 20)::text, 2, '0')", 10_000);
        jdbc.sql("ANALYZE consumer_claims").update();
        dataSource = new PlanRecordingDataSource(postgres);
        queries = new ConsumerClaimsQueries(JdbcClient.create(dataSource));
    }

    @Test
    void aPageOfAllClaimsReadsOnlyThatPage() {
        ClaimPage first = pageReading(() -> queries.handle(new FindClaims("acme", null, null, null, PAGE, null)));
        pageReading(() -> queries.handle(new FindClaims("acme", null, null, null, PAGE, first.nextCursor())));
    }

    @Test
    void aPageOfActiveClaimsReadsOnlyThatPageWhileEndedClaimsPileUp() {
        ClaimPage first = pageReading(() -> queries.handle(new FindClaims("acme", ClaimStatus.ACTIVE, null, null,
                PAGE, null)));
        assertThat(first.claims()).hasSize(PAGE).allSatisfy(claim ->
                assertThat(claim.status()).isEqualTo(ClaimStatus.ACTIVE));
        pageReading(() -> queries.handle(new FindClaims("acme", ClaimStatus.ACTIVE, null, null, PAGE,
                first.nextCursor())));
    }

    @Test
    void aPageOfOneRunnersClaimsReadsOnlyThatPage() {
        ClaimPage all = pageReading(() -> queries.handle(new FindClaims("acme", null, "runner-07", null, PAGE,
                null)));
        ClaimPage active = pageReading(() -> queries.handle(new FindClaims("acme", ClaimStatus.ACTIVE, "runner-07",
                null, PAGE, null)));

        assertThat(all.claims()).hasSize(PAGE);
        assertThat(active.claims()).hasSize(40);
    }

    @Test
    void aPageOfOneEntitysClaimsReadsOnlyThatEntitysRows() {
        ClaimPage page = pageReading(() -> queries.handle(new FindClaims("acme", null, null,
                "https://entities.example/42", PAGE, null)));

        assertThat(page.claims()).hasSize(PAGE);
    }

    @Test
    void aConsumerIsFoundByOneIndexProbe() {
        ClaimPage page = pageReading(() -> queries.handle(new FindClaims("acme", null, null, null,
                "consumer-077777", PAGE, null)));
        pageReading(() -> queries.handle(new FindClaim("acme", "consumer-077777", 1)).orElseThrow());

        assertThat(page.claims()).singleElement().satisfies(claim ->
                assertThat(claim.consumerId()).isEqualTo("consumer-077777"));
    }

    @Test
    void aPageOfRunnersReadsOnlyTheActiveClaimsOfThoseRunners() {
        RunnerPage page = read(() -> queries.handle(new FindRunners("acme", 10, null)), 11 * 40 + 50);

        assertThat(page.runners()).hasSize(10).allSatisfy(runner ->
                assertThat(runner.activeCount()).isEqualTo(40));
        read(() -> queries.handle(new FindRunners("acme", 10, page.nextCursor())), 11 * 40 + 50);
    }

    @Test
    void aRunnersHealthReadsOnlyItsActiveClaims() {
        read(() -> queries.handle(new FindRunnerHealth("acme", "runner-07")), 40 + 10);
    }

    @Test
    void aPageOfTenantsReadsOneRowPerTenantWhateverTheirClaims() {
        TenantPage page = queries.handle(new FindTenants(10, null));
        List<Plan> plans = dataSource.takePlans();

        assertThat(page.tenants()).hasSize(10).startsWith("acme", "other-00");
        assertThat(plans).hasSize(11).allSatisfy(plan -> {
            assertThat(plan.scansSequentially()).as("%s", plan).isFalse();
            assertThat(plan.rowsRead()).as("%s", plan).isLessThanOrEqualTo(2);
        });
    }

    private <T> T pageReading(Supplier<T> query) {
        return read(query, SMALL_READ);
    }

    private <T> T read(Supplier<T> query, long mostRows) {
        dataSource.takePlans();
        T answer = query.get();
        List<Plan> plans = dataSource.takePlans();
        assertThat(plans).hasSize(1);
        Plan plan = plans.get(0);
        assertThat(plan.scansSequentially()).as("a sequential scan in %s", plan).isFalse();
        assertThat(plan.rowsRead()).as("rows read by %s", plan).isLessThanOrEqualTo(mostRows);
        return answer;
    }

    /** {@code count} claims; every 50th active, runners and entities spread so that each active runner has 40. */
    private static void insertClaims(JdbcClient jdbc, String tenant, int count) {
        jdbc.sql("""
                INSERT INTO consumer_claims (tenant_id, consumer_id, epoch, wake_id, entity_url, stream_path,
                    runner_id, status, claimed_at, last_heartbeat_at, lease_expires_at, released_at, acked_streams,
                    updated_at, lease_ttl_ms, lease_policy, heartbeat_count, ended_at, end_reason, last_event_sequence,
                    last_heartbeat_skew_ms)
                SELECT %s, 'consumer-' || lpad(i::text, 6, '0'), 1, NULL, 'https://entities.example/' || (i %% 1000),
                    '/streams/' || i, 'runner-' || lpad(((i / 50) %% 50)::text, 2, '0'),
                    CASE WHEN i %% 50 = 0 THEN 'active' ELSE 'released' END,
                    now(), now(), now() + interval '10 minutes',
                    CASE WHEN i %% 50 = 0 THEN NULL ELSE now() END, '[]', now(), 600000, 'renew_on_heartbeat', 3,
                    CASE WHEN i %% 50 = 0 THEN NULL ELSE now() END, CASE WHEN i %% 50 = 0 THEN NULL ELSE 'released' END,
                    4, (i %% 200) - 100
                FROM generate_series(1, %d) AS i
                """.formatted(tenant, count)).update();
    }
}
