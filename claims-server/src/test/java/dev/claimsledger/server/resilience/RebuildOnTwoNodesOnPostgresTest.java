package dev.claimsledger.server.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claimsledger.projection.ConsumerClaimsProjection;
import dev.claimsledger.server.audit.AuditCommand;
import dev.claimsledger.server.resilience.StoredLedger.Token;
import dev.claimsledger.server.support.ClaimReaders;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.RebuildWhileReading;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.RunsAlone;
import dev.claimsledger.server.support.SyntheticClaims;
import dev.claimsledger.server.support.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A rebuild on two nodes sharing one PostgreSQL schema, started on node B while node A holds every segment of the
 * read model's processor (the case where the earlier rebuild failed and left the processor stopped). Readers poll
 * existing claims through both nodes and a writer heartbeats some of them through A while the rebuild reads 30,000
 * events (300 consumers of 100 events, written with JDBC before the test): no reader sees a 404, an empty page or a
 * claim older than before; a second rebuild asked of node A is a conflict; A reports B's progress; A keeps its
 * segments and its processor keeps going.
 */
@RunsAlone
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RebuildOnTwoNodesOnPostgresTest {

    private static final String TENANT = "rebuilt-pair";
    private static final int CONSUMERS = 300;
    private static final int HEARTBEATS = 99;
    private static final int READ_CONSUMERS = 60;
    private static final int WRITTEN_CONSUMERS = 10;

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private final StoredLedger stored = new StoredLedger(database);
    private LedgerProcess nodeA;
    private LedgerProcess nodeB;
    private LedgerHttp httpA;
    private LedgerHttp httpB;

    @BeforeAll
    void startNodeAHoldingEverySegmentThenNodeB() throws Exception {
        nodeA = LedgerProcess.start("rebuild-node-a", database, Map.of());
        // one segment in a new database; node A, started first, takes whatever there is
        await().atMost(Duration.ofSeconds(30)).until(() -> !segmentOwners().isEmpty()
                && segmentOwners().stream().allMatch(this::ownedByNodeA));
        nodeB = LedgerProcess.start("rebuild-node-b", database, Map.of());
        httpA = new LedgerHttp(nodeA.baseUrl());
        httpB = new LedgerHttp(nodeB.baseUrl());
        SyntheticClaims.append(database, TENANT, CONSUMERS, HEARTBEATS);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> SyntheticClaims.rowsCaughtUp(database, TENANT, HEARTBEATS) == CONSUMERS);
        System.out.println("[resilience] rebuild on two nodes: " + nodeA + " holds " + segmentOwners() + "; "
                + nodeB);
    }

    @AfterAll
    void stopBothNodes() {
        for (LedgerProcess node : new LedgerProcess[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void aRebuildOnOneNodeWhileTheOtherHoldsTheSegmentsKeepsEveryReaderServedOnBoth() throws Exception {
        List<String> readConsumers = IntStream.range(0, READ_CONSUMERS).mapToObj(SyntheticClaims::consumer).toList();
        Reply[] second = new Reply[1];
        Reply[] progressOnA = new Reply[1];

        RebuildWhileReading.Result run = RebuildWhileReading.run(List.of(httpA, httpB), httpB, httpA,
                ClaimReaders.epochOne(TENANT, readConsumers), WRITTEN_CONSUMERS, started -> {
                    second[0] = httpA.post(LedgerHttp.REBUILD);
                    progressOnA[0] = httpA.get(started.location());
                });

        assertThat(run.finished().get("state").asText()).as("%s", run.finished()).isEqualTo("done");
        assertThat(run.readers().clean()).as("%s", run.readers()).isTrue();
        assertThat(run.readsDuring()).as("reads while the rebuild ran").isGreaterThanOrEqualTo(50);
        second[0].assertProblem(409, "conflict");
        assertThat(progressOnA[0].status()).as("B's rebuild asked of A: %s", progressOnA[0]).isEqualTo(200);
        assertThat(progressOnA[0].json().get("id").asText()).isEqualTo(run.finished().get("id").asText());
        assertThat(segmentOwners()).as("the segments after the rebuild").allMatch(this::ownedByNodeA);
        assertTheProcessorKeepsGoing();
        assertThat(LedgerChecks.audit(database).status()).isEqualTo(AuditCommand.CLEAN);
    }

    private void assertTheProcessorKeepsGoing() {
        LedgerClient client = new LedgerClient(nodeB.baseUrl());
        assertThat(client.claim(TENANT, "after-the-rebuild", 1, 600_000, "fixed").status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(httpA.get(LedgerHttp.claim(TENANT, "after-the-rebuild", 1)).status()).isEqualTo(200);
            assertThat(httpB.get(LedgerHttp.claim(TENANT, "after-the-rebuild", 1)).status()).isEqualTo(200);
        });
    }

    private List<Token> segmentOwners() throws SQLException {
        return stored.tokens(ConsumerClaimsProjection.PROCESSING_GROUP);
    }

    /** Axon names a token's owner after the JVM: {@code <pid>@<host>}. */
    private boolean ownedByNodeA(Token token) {
        return token.owner() != null && token.owner().startsWith(nodeA.pid() + "@");
    }
}
