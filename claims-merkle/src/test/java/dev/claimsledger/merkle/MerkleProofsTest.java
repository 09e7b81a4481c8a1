package dev.claimsledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Roots, inclusion proofs and consistency proofs of the eight-leaf tree of transparency-dev/merkle
 * ({@code proof/verify_test.go}), made by {@link MerkleProofs} and checked by {@link ProofVerification}; then every
 * proof corrupted the ways that file corrupts them, each refused. Their inclusion vectors count leaves from 1; here
 * indexes count from 0.
 */
class MerkleProofsTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final List<byte[]> LEAVES = Stream.of("", "00", "10", "2021", "3031", "40414243",
            "5051525354555657", "606162636465666768696a6b6c6d6e6f").map(HEX::parseHex).toList();
    private static final List<String> ROOTS = List.of(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    private static final LeafHashes TREE = new LeafHashes(LEAVES.stream().map(TreeHashes::leaf).toList());

    static Stream<Arguments> inclusionVectors() {
        return Stream.of(
                Arguments.of(0, 1, List.of()),
                Arguments.of(0, 8, List.of("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
                Arguments.of(5, 8, List.of("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
                Arguments.of(2, 3, List.of("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
                Arguments.of(1, 5, List.of("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")));
    }

    static Stream<Arguments> consistencyVectors() {
        return Stream.of(
                Arguments.of(1, 1, List.of()),
                Arguments.of(1, 8, List.of("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
                Arguments.of(6, 8, List.of("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
                Arguments.of(2, 5, List.of("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
                Arguments.of(6, 7, List.of("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")));
    }

    @Test
    void theRootsOfEveryPrefixAreTheKnownAnswers() {
        for (int size = 1; size <= 8; size++) {
            assertThat(HEX.formatHex(MerkleProofs.root(TREE, size))).as("root of %d leaves", size)
                    .isEqualTo(ROOTS.get(size - 1));
        }
        assertThat(MerkleProofs.root(TREE, 0)).isEqualTo(TreeHashes.emptyRoot());
    }

    @ParameterizedTest(name = "leaf {0} of {1}")
    @MethodSource("inclusionVectors")
    void inclusionProofsAreTheKnownAnswersAndVerify(int index, int size, List<String> expected) {
        List<byte[]> proof = MerkleProofs.inclusionProof(TREE, index, size);

        assertThat(proof).extracting(HEX::formatHex).containsExactlyElementsOf(expected);
        assertThat(ProofVerification.inclusion(index, size, TREE.subtree(0, index), proof, root(size))).isTrue();
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("consistencyVectors")
    void consistencyProofsAreTheKnownAnswersAndVerify(int first, int second, List<String> expected) {
        List<byte[]> proof = MerkleProofs.consistencyProof(TREE, first, second);

        assertThat(proof).extracting(HEX::formatHex).containsExactlyElementsOf(expected);
        assertThat(ProofVerification.consistency(first, second, root(first), root(second), proof)).isTrue();
    }

    @ParameterizedTest(name = "leaf {0} of {1}")
    @MethodSource("inclusionVectors")
    void everyCorruptedInclusionProofIsRefused(int index, int size, List<String> expected) {
        List<byte[]> proof = expected.stream().map(HEX::parseHex).toList();
        byte[] leaf = TREE.subtree(0, index);
        byte[] root = root(size);

        assertThat(ProofVerification.inclusion(index - 1, size, leaf, proof, root)).as("index - 1").isFalse();
        assertThat(ProofVerification.inclusion(index + 1, size, leaf, proof, root)).as("index + 1").isFalse();
        assertThat(ProofVerification.inclusion(index ^ 2, size, leaf, proof, root)).as("index XOR 2").isFalse();
        assertThat(ProofVerification.inclusion(index, size * 2, leaf, proof, root)).as("size * 2").isFalse();
        assertThat(ProofVerification.inclusion(index, size / 2, leaf, proof, root)).as("size / 2").isFalse();
        assertThat(ProofVerification.inclusion(index, size, TreeHashes.leaf(new byte[]{9}), proof, root))
                .as("another leaf").isFalse();
        assertThat(ProofVerification.inclusion(index, size, leaf, proof, TreeHashes.emptyRoot())).as("the empty root")
                .isFalse();
        assertThat(ProofVerification.inclusion(index, size, leaf, proof, flipBit(root, 3))).as("another root")
                .isFalse();
        assertThat(ProofVerification.inclusion(index, size, leaf, with(proof, 0, root), root)).as("root before")
                .isFalse();
        assertThat(ProofVerification.inclusion(index, size, leaf, with(proof, proof.size(), root), root))
                .as("root after").isFalse();
        assertThat(ProofVerification.inclusion(index, size, leaf, with(proof, proof.size(), leaf), root))
                .as("garbage after").isFalse();
        for (int i = 0; i < proof.size(); i++) {
            assertThat(ProofVerification.inclusion(index, size, leaf, replace(proof, i, flipBit(proof.get(i), 3)), root))
                    .as("hash %d changed", i).isFalse();
            assertThat(ProofVerification.inclusion(index, size, leaf, without(proof, i), root))
                    .as("hash %d removed", i).isFalse();
        }
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("consistencyVectors")
    void everyCorruptedConsistencyProofIsRefused(int first, int second, List<String> expected) {
        List<byte[]> proof = expected.stream().map(HEX::parseHex).toList();
        byte[] firstRoot = root(first);
        byte[] secondRoot = root(second);

        assertThat(ProofVerification.consistency(first, second, flipBit(firstRoot, 4), secondRoot, proof))
                .as("another first root").isFalse();
        assertThat(ProofVerification.consistency(first, second, firstRoot, flipBit(secondRoot, 4), proof))
                .as("another second root").isFalse();
        if (first != second) {
            assertThat(ProofVerification.consistency(first, second, secondRoot, firstRoot, proof)).as("roots swapped")
                    .isFalse();
            assertThat(ProofVerification.consistency(first, second, firstRoot, secondRoot, List.of())).as("no proof")
                    .isFalse();
        }
        assertThat(ProofVerification.consistency(first + 1, second, firstRoot, secondRoot, proof)).as("first + 1")
                .isFalse();
        assertThat(ProofVerification.consistency(first ^ 2, second, firstRoot, secondRoot, proof)).as("first XOR 2")
                .isFalse();
        assertThat(ProofVerification.consistency(first, second * 2, firstRoot, secondRoot, proof)).as("second * 2")
                .isFalse();
        assertThat(ProofVerification.consistency(first, second / 2, firstRoot, secondRoot, proof)).as("second / 2")
                .isFalse();
        assertThat(ProofVerification.consistency(first, second, firstRoot, secondRoot, with(proof, 0, firstRoot)))
                .as("first root before").isFalse();
        assertThat(ProofVerification.consistency(first, second, firstRoot, secondRoot,
                with(proof, proof.size(), secondRoot))).as("second root after").isFalse();
        for (int i = 0; i < proof.size(); i++) {
            assertThat(ProofVerification.consistency(first, second, firstRoot, secondRoot,
                    replace(proof, i, flipBit(proof.get(i), 4)))).as("hash %d changed", i).isFalse();
            assertThat(ProofVerification.consistency(first, second, firstRoot, secondRoot, without(proof, i)))
                    .as("hash %d removed", i).isFalse();
        }
    }

    @Test
    void aConsistencyProofFromTheEmptyTreeIsRefusedAsMeaningless() {
        assertThat(ProofVerification.consistency(0, 0, TreeHashes.emptyRoot(), TreeHashes.emptyRoot(), List.of()))
                .isFalse();
        assertThat(ProofVerification.consistency(0, 8, TreeHashes.emptyRoot(), root(8), List.of())).isFalse();
    }

    @Test
    void hashesOfTheWrongLengthAreRefused() {
        List<byte[]> proof = MerkleProofs.inclusionProof(TREE, 5, 8);
        byte[] truncated = Arrays.copyOf(proof.get(0), 31);

        assertThat(ProofVerification.inclusion(5, 8, TREE.subtree(0, 5), replace(proof, 0, truncated), root(8)))
                .isFalse();
    }

    private static byte[] root(int size) {
        return HEX.parseHex(ROOTS.get(size - 1));
    }

    private static byte[] flipBit(byte[] hash, int bit) {
        byte[] flipped = hash.clone();
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        return flipped;
    }

    private static List<byte[]> with(List<byte[]> proof, int at, byte[] hash) {
        List<byte[]> changed = new ArrayList<>(proof);
        changed.add(at, hash);
        return changed;
    }

    private static List<byte[]> replace(List<byte[]> proof, int at, byte[] hash) {
        List<byte[]> changed = new ArrayList<>(proof);
        changed.set(at, hash);
        return changed;
    }

    private static List<byte[]> without(List<byte[]> proof, int at) {
        List<byte[]> changed = new ArrayList<>(proof);
        changed.remove(at);
        return changed;
    }
}
