package dev.claimsledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * For logs of random sizes, with leaves in a commit order that is not position order: the root kept incrementally
 * and the root read from the stored tiles (recomputing hashes below a tile from its events) are the RFC's recursive
 * definition, and every inclusion and consistency proof made from the stored tiles verifies and is no longer than
 * RFC 9162 allows.
 */
class MerkleTreeProperties {

    @Property(tries = 20)
    void theIncrementalAndTiledRootsAreTheRecursiveDefinition(@ForAll @IntRange(min = 0, max = 3000) int size,
                                                              @ForAll long seed) {
        InMemoryLog log = filled(size, seed);
        List<byte[]> leaves = log.leafHashes();

        byte[] recursive = recursiveRoot(leaves);
        assertThat(log.log().head().root()).as("incremental root").isEqualTo(recursive);
        assertThat(log.stored().head().root()).as("root from the stored tiles").isEqualTo(recursive);
        Random random = new Random(seed);
        for (int i = 0; i < 5 && size > 0; i++) {
            int prefix = 1 + random.nextInt(size);
            assertThat(MerkleProofs.root(log.stored(), prefix)).as("root of the first %d", prefix)
                    .isEqualTo(recursiveRoot(leaves.subList(0, prefix)));
        }
    }

    @Property(tries = 8)
    void everyProofFromTheStoredTilesVerifiesWithinItsLengthBound(@ForAll @IntRange(min = 1, max = 3000) int size,
                                                                  @ForAll long seed) {
        InMemoryLog log = filled(size, seed);
        LeafHashes plain = new LeafHashes(log.leafHashes());
        StoredTree stored = log.stored();
        byte[] root = plain.root();
        int bound = ceilLog2(size);

        for (long index = 0; index < size; index++) {
            List<byte[]> proof = MerkleProofs.inclusionProof(stored, index, size);
            assertThat(proof.size()).as("inclusion proof of %d in %d", index, size).isLessThanOrEqualTo(bound);
            assertThat(ProofVerification.inclusion(index, size, plain.subtree(0, index), proof, root))
                    .as("inclusion of %d in %d", index, size).isTrue();
        }
        for (long first = 1; first <= size; first++) {
            List<byte[]> proof = MerkleProofs.consistencyProof(stored, first, size);
            assertThat(proof.size()).as("consistency proof %d to %d", first, size).isLessThanOrEqualTo(bound + 1);
            assertThat(ProofVerification.consistency(first, size, MerkleProofs.root(plain, first), root, proof))
                    .as("consistency %d to %d", first, size).isTrue();
        }
    }

    @Property(tries = 200)
    void packedPositionsReadBackInOrder(@ForAll @IntRange(min = 0, max = 256) int count, @ForAll long seed) {
        Random random = new Random(seed);
        long[] positions = new long[count];
        long next = random.nextInt(1 << 30);
        for (int i = 0; i < count; i++) {
            next = Math.max(0, next + random.nextInt(40) - 15);
            positions[i] = random.nextInt(20) == 0 ? random.nextLong() & Long.MAX_VALUE : next;
        }

        assertThat(PositionCodec.decode(PositionCodec.encode(positions, count))).containsExactly(positions);
    }

    /** {@code size} leaves whose positions mostly grow but now and then arrive late, as concurrent commits do. */
    private static InMemoryLog filled(int size, long seed) {
        Random random = new Random(seed);
        long[] positions = new long[size];
        for (int i = 0; i < size; i++) {
            positions[i] = 1000L + i * 2L;
        }
        for (int i = 0; i + 1 < size; i++) {
            if (random.nextInt(5) == 0) {
                int j = Math.min(size - 1, i + 1 + random.nextInt(300));
                long swapped = positions[i];
                positions[i] = positions[j];
                positions[j] = swapped;
            }
        }
        InMemoryLog log = new InMemoryLog();
        for (long position : positions) {
            log.append(position);
        }
        return log;
    }

    /** MTH as RFC 9162 §2.1.1 defines it, straight from the definition. */
    private static byte[] recursiveRoot(List<byte[]> leaves) {
        if (leaves.isEmpty()) {
            return TreeHashes.emptyRoot();
        }
        if (leaves.size() == 1) {
            return leaves.get(0);
        }
        int k = 1;
        while (k * 2 < leaves.size()) {
            k *= 2;
        }
        return TreeHashes.node(recursiveRoot(leaves.subList(0, k)), recursiveRoot(leaves.subList(k, leaves.size())));
    }

    private static int ceilLog2(long n) {
        return n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1);
    }
}
