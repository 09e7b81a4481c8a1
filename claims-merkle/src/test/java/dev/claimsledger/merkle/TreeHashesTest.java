package dev.claimsledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The RFC 6962 hashes against the known answers of transparency-dev/merkle ({@code rfc6962/rfc6962_test.go}).
 */
class TreeHashesTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void theEmptyTreeHashesToTheSha256OfNothing() {
        assertThat(HEX.formatHex(TreeHashes.emptyRoot()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void anEmptyLeafHashesWithItsPrefixAndDiffersFromTheEmptyTree() {
        assertThat(HEX.formatHex(TreeHashes.leaf(new byte[0])))
                .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    }

    @Test
    void aLeafHashesAsSha256OfZeroAndTheLeaf() {
        assertThat(HEX.formatHex(TreeHashes.leaf("L123456".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
    }

    @Test
    void aNodeHashesAsSha256OfOneAndBothChildren() {
        assertThat(HEX.formatHex(TreeHashes.node("N123".getBytes(StandardCharsets.US_ASCII),
                "N456".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
    }

    @Test
    void aNodeIsNotTheLeafOfItsChildrenAndDependsOnTheirOrder() {
        byte[] hello = TreeHashes.leaf("Hello".getBytes(StandardCharsets.US_ASCII));
        byte[] world = TreeHashes.leaf("World".getBytes(StandardCharsets.US_ASCII));
        byte[] both = new byte[64];
        System.arraycopy(hello, 0, both, 0, 32);
        System.arraycopy(world, 0, both, 32, 32);

        assertThat(TreeHashes.node(hello, world)).isNotEqualTo(TreeHashes.leaf(both))
                .isNotEqualTo(TreeHashes.node(world, hello));
    }
}
