package dev.claimsledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The C2SP tlog-checkpoint text, and a signed checkpoint opened only with the key that signed it under the origin's
 * name.
 */
class CheckpointTest {

    private static final byte[] ROOT = TreeHashes.sha256(new byte[]{1, 2, 3});

    @Test
    void aCheckpointIsItsOriginSizeAndBase64RootOnePerLine() {
        Checkpoint checkpoint = new Checkpoint("claims-ledger/test", 20852163, ROOT);

        assertThat(checkpoint.text()).isEqualTo("claims-ledger/test\n20852163\n"
                + Base64.getEncoder().encodeToString(ROOT) + "\n");
        assertThat(Checkpoint.parse(checkpoint.text())).isEqualTo(checkpoint);
    }

    @Test
    void extensionLinesAreReadAndIgnored() {
        String text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nextension\n";

        Checkpoint checkpoint = Checkpoint.parse(text);

        assertThat(checkpoint.origin()).isEqualTo("example.com/behind-the-sofa");
        assertThat(checkpoint.size()).isEqualTo(20852163);
    }

    @Test
    void malformedCheckpointsAreRefused() {
        String root = Base64.getEncoder().encodeToString(ROOT);

        assertThatThrownBy(() -> Checkpoint.parse("origin\n012\n" + root + "\n")).hasMessageContaining("leading zeros");
        assertThatThrownBy(() -> Checkpoint.parse("origin\n-1\n" + root + "\n")).hasMessageContaining("decimal");
        assertThatThrownBy(() -> Checkpoint.parse("origin\n12\n" + root.substring(4) + "\n"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checkpoint.parse("origin\n12\n")).hasMessageContaining("three");
        assertThatThrownBy(() -> Checkpoint.parse("origin\n12\n" + root)).hasMessageContaining("newline");
        assertThatThrownBy(() -> Checkpoint.parse("two words\n12\n" + root + "\n")).hasMessageContaining("origin");
    }

    @Test
    void aSignedCheckpointOpensOnlyWithItsKeyUnderItsOrigin() {
        NoteSigner signer = new NoteSigner("claims-ledger/test", Ed25519Keys.generate());
        NoteSigner otherName = new NoteSigner("claims-ledger/other", Ed25519Keys.generate());
        Checkpoint checkpoint = new Checkpoint("claims-ledger/test", 7, ROOT);
        String note = signer.sign(checkpoint.text());

        assertThat(Checkpoint.open(note, NoteVerifier.parse(signer.verifierKey()))).isEqualTo(checkpoint);
        assertThatThrownBy(() -> Checkpoint.open(otherName.sign(checkpoint.text()),
                NoteVerifier.parse(otherName.verifierKey()))).hasMessageContaining("is not the name of the key");
        assertThatThrownBy(() -> Checkpoint.open(note, NoteVerifier.parse(otherName.verifierKey())))
                .hasMessageContaining("no signature by the key claims-ledger/other");
    }
}
