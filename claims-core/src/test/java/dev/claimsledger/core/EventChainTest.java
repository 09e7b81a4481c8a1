package dev.claimsledger.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The chain hash is the SHA-256 of the text the class documents, followed by the stored payload. */
class EventChainTest {

    private static final byte[] PAYLOAD = "{\"tenantId\":\"t\",\"epoch\":3}".getBytes(StandardCharsets.UTF_8);

    @Test
    void theHashIsTheSha256OfTheDocumentedHeaderAndThePayload() throws Exception {
        assertThat(EventChain.hash("t:wörker", 17, "dev.Type", PAYLOAD, "ab12"))
                .isEqualTo(documented("t:wörker", 17, "dev.Type", PAYLOAD, "ab12"));
        assertThat(EventChain.hash("t:w", 0, "dev.Type", PAYLOAD, null))
                .isEqualTo(documented("t:w", 0, "dev.Type", PAYLOAD, ""));
    }

    @Test
    void aHashThatFailedHalfwayLeavesTheNextOneOnTheSameThreadRight() throws Exception {
        assertThatThrownBy(() -> EventChain.hash("t:w", 1, "dev.Type", null, "ab12"))
                .isInstanceOf(NullPointerException.class);

        assertThat(EventChain.hash("t:w", 2, "dev.Type", PAYLOAD, "cd34"))
                .isEqualTo(documented("t:w", 2, "dev.Type", PAYLOAD, "cd34"));
    }

    private static String documented(String stream, long sequence, String type, byte[] payload, String previous)
            throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(("claims-ledger-chain/1\n" + stream + "\n" + sequence + "\n" + type + "\n" + previous + "\n")
                .getBytes(StandardCharsets.UTF_8));
        digest.update(payload);
        return HexFormat.of().formatHex(digest.digest());
    }
}
