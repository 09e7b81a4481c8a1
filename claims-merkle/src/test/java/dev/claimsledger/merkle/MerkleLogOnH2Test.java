package dev.claimsledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.axonframework.messaging.ResultMessage;
import org.junit.jupiter.api.Test;

/**
 * The writer, the stored log, its proofs and its verification on H2 in PostgreSQL mode, as the embedded ledger runs
 * them: events become leaves in the order they become visible, the stored log is the tree of exactly those leaves,
 * and it survives a restart of the writer.
 */
class MerkleLogOnH2Test {

    private final LogDatabase database = new LogDatabase();

    @Test
    void eventsBecomeLeavesInTheOrderTheyBecameVisibleAndTheStoredTreeIsTheirs() {
        List<Long> order = commitOrder(700, 11);
        database.store(order.stream().mapToLong(Long::longValue).toArray());
        MerkleLogWriter writer = database.writer();

        deliverInBatches(writer, order, 11);

        TreeHead expected = new TreeHead(700, new LeafHashes(database.expectedLeafHashes()).root());
        assertThat(database.log().head()).isEqualTo(expected);
        assertThat(writer.committedHead()).contains(expected);
        for (int leaf = 0; leaf < order.size(); leaf += 7) {
            assertThat(database.log().leafIndexOf(order.get(leaf))).as("leaf of position %d", order.get(leaf))
                    .hasValue(leaf);
        }
        assertThat(database.log().leafIndexOf(2)).as("a position that never committed").isEmpty();
    }

    @Test
    void aRestartedWriterContinuesTheStoredLog() {
        List<Long> order = commitOrder(600, 5);
        database.store(order.stream().mapToLong(Long::longValue).toArray());
        deliverInBatches(database.writer(), order.subList(0, 333), 5);

        MerkleLogWriter restarted = database.writer();
        deliverInBatches(restarted, order.subList(333, 600), 5);

        assertThat(database.log().head().root()).isEqualTo(new LeafHashes(database.expectedLeafHashes()).root());
        assertThat(restarted.committedHead().orElseThrow().size()).isEqualTo(600);
    }

    @Test
    void aWriterWhoseLogAnotherExtendedIsRefusedThenReloadsAndAppends() {
        database.store(LongStream.rangeClosed(1, 30).toArray());
        MerkleLogWriter first = database.writer();
        MerkleLogWriter second = database.writer();
        assertThat(database.deliver(first, LongStream.rangeClosed(1, 10).toArray()).isExceptional()).isFalse();
        assertThat(database.deliver(second, LongStream.rangeClosed(11, 20).toArray()).isExceptional()).isFalse();

        ResultMessage<?> stale = database.deliver(first, LongStream.rangeClosed(21, 30).toArray());

        assertThat(stale.isExceptional()).isTrue();
        assertThat(stale.exceptionResult()).hasMessageContaining("no longer has 10 leaves");
        assertThat(database.log().head().size()).isEqualTo(20);
        assertThat(database.deliver(first, LongStream.rangeClosed(21, 30).toArray()).isExceptional()).isFalse();
        assertThat(database.log().head().root()).isEqualTo(new LeafHashes(database.expectedLeafHashes()).root());
    }

    @Test
    void proofsFromTheStoredLogVerifyAgainstItsHead() {
        List<Long> order = commitOrder(1000, 3);
        database.store(order.stream().mapToLong(Long::longValue).toArray());
        deliverInBatches(database.writer(), order, 3);
        MerkleLog log = database.log();
        LeafHashes expected = new LeafHashes(database.expectedLeafHashes());

        for (long size : new long[]{1, 255, 256, 257, 700, 1000}) {
            byte[] root = MerkleProofs.root(expected, size);
            for (long leaf : new long[]{0, size / 3, size - 1}) {
                InclusionProof proof = log.inclusionProof(order.get((int) leaf), size);
                assertThat(proof.leafIndex()).isEqualTo(leaf);
                assertThat(Leaf.decode(proof.leaf()).position()).isEqualTo(order.get((int) leaf));
                assertThat(ProofVerification.inclusion(leaf, size, TreeHashes.leaf(proof.leaf()), proof.hashes(), root))
                        .as("leaf %d in %d", leaf, size).isTrue();
            }
            assertThat(ProofVerification.consistency(size, 1000, root, log.head().root(),
                    log.consistencyProof(size, 1000))).as("%d to 1000", size).isTrue();
        }
    }

    @Test
    void proofsOutsideTheLogAreRefused() {
        database.store(1, 2, 3);
        database.deliver(database.writer(), 1, 2, 3);
        MerkleLog log = database.log();

        assertThatThrownBy(() -> log.inclusionProof(99, 3)).isInstanceOf(ProofRequestException.class)
                .extracting(failure -> ((ProofRequestException) failure).problem())
                .isEqualTo(ProofRequestException.Problem.NOT_FOUND);
        assertThatThrownBy(() -> log.inclusionProof(3, 2)).hasMessageContaining("not among the first 2 leaves");
        assertThatThrownBy(() -> log.inclusionProof(1, 4)).hasMessageContaining("between 1 and 3");
        assertThatThrownBy(() -> log.consistencyProof(0, 3)).hasMessageContaining("1 <= from <= to <= 3");
        assertThatThrownBy(() -> log.consistencyProof(3, 2)).isInstanceOf(ProofRequestException.class);
        assertThatThrownBy(() -> log.consistencyProof(1, 4)).isInstanceOf(ProofRequestException.class);
    }

    @Test
    void anIntactLogVerifiesAgainstAnEarlierCheckpoint() {
        List<Long> order = commitOrder(600, 9);
        database.store(order.stream().mapToLong(Long::longValue).toArray());
        deliverInBatches(database.writer(), order, 9);
        Checkpoint saved = new Checkpoint("test/log", 300,
                MerkleProofs.root(new LeafHashes(database.expectedLeafHashes()), 300));

        VerificationReport report = database.verification().verify(saved, progress -> {
        });

        assertThat(report.findings()).isEmpty();
        assertThat(report.intact()).isTrue();
        assertThat(report.extendsCheckpoint()).isTrue();
        assertThat(report.leavesChecked()).isEqualTo(600);
    }

    @Test
    void verificationNamesAMissingEventAChangedTileAChangedHotLeafAndAnEventAddedBehindTheLog() {
        List<Long> order = LongStream.rangeClosed(1, 600).boxed().toList();
        database.store(order.stream().mapToLong(Long::longValue).toArray());
        deliverInBatches(database.writer(), order, 1);
        database.store(1000);
        Checkpoint saved = new Checkpoint("test/log", 600, database.log().head().root());
        database.jdbc().update("DELETE FROM domain_event_entry WHERE global_index = 10");
        database.jdbc().update("UPDATE domain_event_entry SET payload = ? WHERE global_index = 300",
                LogDatabase.utf8("{\"what\":\"rewritten\",\"n\":300}"));
        database.jdbc().update("UPDATE domain_event_entry SET payload = ? WHERE global_index = 580",
                LogDatabase.utf8("{\"what\":\"rewritten\",\"n\":580}"));
        database.jdbc().update("UPDATE merkle_log_head SET settled_position = 2000");

        VerificationReport report = database.verification().verify(saved, progress -> {
        });

        assertThat(report.intact()).isFalse();
        assertThat(report.findings()).extracting(VerificationReport.Finding::toString).containsExactly(
                "leaf 9 (position 10): the event is missing",
                "leaves 256..511 (positions 257..512): the events no longer hash to the log's stored tile",
                "leaf 579 (position 580): the event no longer hashes to the log's leaf",
                "the event at position 1000: stored but not in the log: an event added behind the log's back, or one"
                        + " its writer never saw");
    }

    /** {@code count} positions 1, 3, 5, ... in a visible order where some commit late, as concurrent commits do. */
    private static List<Long> commitOrder(int count, long seed) {
        List<Long> order = new ArrayList<>(LongStream.range(0, count).map(i -> 1 + 2 * i).boxed().toList());
        Random random = new Random(seed);
        for (int i = 0; i < count; i += 1 + random.nextInt(20)) {
            Collections.swap(order, i, Math.min(count - 1, i + random.nextInt(40)));
        }
        return order;
    }

    private void deliverInBatches(MerkleLogWriter writer, List<Long> positions, long seed) {
        Random random = new Random(seed);
        for (int from = 0; from < positions.size(); ) {
            int to = Math.min(positions.size(), from + 1 + random.nextInt(300));
            long[] batch = positions.subList(from, to).stream().mapToLong(Long::longValue).toArray();
            ResultMessage<?> result = database.deliver(writer, batch);
            assertThat(result.isExceptional()).as("batch %s: %s", Arrays.toString(batch), result).isFalse();
            from = to;
        }
    }
}
