package dev.claimsledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The leaf encoding, byte for byte as README documents it; the example here is README's, computed independently
 * (with Python's hashlib and struct).
 */
class LeafTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final EventRow EXAMPLE = new EventRow(42, "4:acme/w1", 3, "dev.claimsledger.api.HeartbeatReceived",
            "{\"epoch\":1}".getBytes(StandardCharsets.UTF_8),
            "{\"ledger.chainHash\":\"00\"}".getBytes(StandardCharsets.UTF_8));

    @Test
    void anEventEncodesFieldByFieldAsDocumented() {
        String expected = "01"                                                  // version
                + "000000000000002a"                                            // global_index 42
                + "0000000000000003"                                            // sequence_number 3
                + "8d388f7872e05501ba67cfdb11ca1eabaa649af6b813bd7e9b314f5bc0e3a5ef" // SHA-256(payload)
                + "01"                                                          // meta_data present
                + "8b2b34aee296f300b20f47f2d20a32972e8fa69dcb347a3ba3959be6afe57d1c" // SHA-256(meta_data)
                + "00000009" + HEX.formatHex("4:acme/w1".getBytes(StandardCharsets.UTF_8))
                + "00000026" + HEX.formatHex("dev.claimsledger.api.HeartbeatReceived".getBytes(StandardCharsets.UTF_8));

        Leaf leaf = Leaf.of(EXAMPLE);

        assertThat(HEX.formatHex(leaf.encode())).isEqualTo(expected);
        assertThat(HEX.formatHex(leaf.hash()))
                .isEqualTo("2a39143e4325f87bf405c12ac3ec0ace21d7d7a6c4cf06937148c751f16ee03a");
    }

    @Test
    void aNullMetadataColumnEncodesAsAbsentNotAsTheHashOfNothing() {
        Leaf withNull = Leaf.of(new EventRow(42, "4:acme/w1", 3, EXAMPLE.payloadType(), EXAMPLE.payload(), null));
        Leaf withEmpty = Leaf.of(new EventRow(42, "4:acme/w1", 3, EXAMPLE.payloadType(), EXAMPLE.payload(),
                new byte[0]));

        assertThat(withNull.encode()[49]).isZero();
        assertThat(Arrays.copyOfRange(withNull.encode(), 50, 82)).containsOnly(0);
        assertThat(HEX.formatHex(withNull.hash()))
                .isEqualTo("ed93a6f8446320bf3cd33d9eae8ad35109bb257cec2a160b1fdb1840b44af347");
        assertThat(withEmpty.encode()).isNotEqualTo(withNull.encode());
    }

    @Test
    void aLeafReadsBackAsItWasWritten() {
        Leaf leaf = Leaf.of(EXAMPLE);

        Leaf read = Leaf.decode(leaf.encode());

        assertThat(read).isEqualTo(leaf);
        assertThat(read.position()).isEqualTo(42);
        assertThat(read.streamId()).isEqualTo("4:acme/w1");
        assertThat(read.sequence()).isEqualTo(3);
        assertThat(read.payloadType()).isEqualTo("dev.claimsledger.api.HeartbeatReceived");
        assertThat(read.metadataHash()).isNotNull();
    }

    @Test
    void movingBytesBetweenTheStreamAndTheTypeGivesAnotherLeaf() {
        Leaf one = Leaf.of(new EventRow(1, "4:acme/ab", 0, "c", new byte[0], null));
        Leaf other = Leaf.of(new EventRow(1, "4:acme/a", 0, "bc", new byte[0], null));

        assertThat(one.encode()).isNotEqualTo(other.encode());
    }

    @Test
    void malformedEncodingsAreRefused() {
        byte[] encoded = Leaf.of(EXAMPLE).encode();
        byte[] otherVersion = encoded.clone();
        otherVersion[0] = 2;
        byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
        byte[] truncated = Arrays.copyOf(encoded, encoded.length - 1);
        byte[] absentButHashed = encoded.clone();
        absentButHashed[49] = 0;

        assertThatThrownBy(() -> Leaf.decode(otherVersion)).hasMessageContaining("version");
        assertThatThrownBy(() -> Leaf.decode(trailing)).hasMessageContaining("after the leaf");
        assertThatThrownBy(() -> Leaf.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Leaf.decode(absentButHashed)).hasMessageContaining("metadata");
    }
}
