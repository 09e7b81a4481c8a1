package dev.claimsledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Signed notes against golang.org/x/mod's known answers ({@code sumdb/note/note_test.go}): its PeterNeumann key
 * ({@code PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz} holds the Ed25519 seed
 * after the 0x01) signs its note to exactly the bytes it expects, and its verifier keys are read and checked.
 */
class SignedNoteTest {

    private static final String PETER_SIGNER_KEY = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    private static final String PETER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    private static final String ENOCH = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    private static final String TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    private static final String PETER_SIGNED = TEXT + "\n"
            + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    private static final String ENOCH_LINE = "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGr"
            + "Q5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    @Test
    void theGoVectorsKeySignsTheNoteToTheExpectedBytesAndVerifierKey() {
        NoteSigner peter = new NoteSigner("PeterNeumann", Ed25519Keys.privateKey(seed(PETER_SIGNER_KEY)));

        assertThat(peter.sign(TEXT)).isEqualTo(PETER_SIGNED);
        assertThat(peter.verifierKey()).isEqualTo(PETER);
        assertThat(String.format("%08x", peter.keyId())).isEqualTo("c74f20a3");
    }

    @Test
    void aNoteSignedByTheTrustedKeyOpensToItsText() {
        assertThat(NoteVerifier.parse(PETER).open(PETER_SIGNED)).isEqualTo(TEXT);
        assertThat(NoteVerifier.parse(PETER).open(PETER_SIGNED + ENOCH_LINE)).as("with another signature too")
                .isEqualTo(TEXT);
        assertThat(NoteVerifier.parse(ENOCH).open(PETER_SIGNED + ENOCH_LINE)).as("Enoch's signature").isEqualTo(TEXT);
    }

    @Test
    void aNoteWithoutASignatureByTheTrustedKeyIsRefused() {
        assertThatThrownBy(() -> NoteVerifier.parse(ENOCH).open(PETER_SIGNED))
                .hasMessageContaining("no signature by the key EnochRoot+af0cfe78");
    }

    @Test
    void aChangedTextOrSignatureIsRefused() {
        String changedText = PETER_SIGNED.replace("cryptography", "cryptographY");
        String changedSignature = PETER_SIGNED.replace("x08go/ZJ", "x08go/ZK");

        assertThatThrownBy(() -> NoteVerifier.parse(PETER).open(changedText)).hasMessageContaining("does not verify");
        assertThatThrownBy(() -> NoteVerifier.parse(PETER).open(changedSignature))
                .hasMessageContaining("does not verify");
    }

    @Test
    void theSameNameWithAnotherKeyIsAnotherKeyId() {
        NoteSigner impostor = new NoteSigner("PeterNeumann", Ed25519Keys.generate());
        String forged = impostor.sign(TEXT);

        assertThat(impostor.keyId()).isNotEqualTo(0xc74f20a3);
        assertThatThrownBy(() -> NoteVerifier.parse(PETER).open(forged)).hasMessageContaining("no signature by the key");
    }

    @Test
    void manglingsOfAVerifierKeyAreRefused() {
        byte[] key = PETER.getBytes(StandardCharsets.US_ASCII);
        Random random = new Random(7);
        for (int n = 0; n < 200; n++) {
            int i = random.nextInt(key.length);
            int j = i + 1 + random.nextInt(key.length - i);
            String part = new String(key, i, j - i, StandardCharsets.US_ASCII);
            if (!part.equals(PETER)) {
                assertThatThrownBy(() -> NoteVerifier.parse(part)).as("%s", part)
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
        for (int i = 0; i < key.length; i++) {
            byte[] changed = key.clone();
            changed[i]++;
            String mangled = new String(changed, StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> NoteVerifier.parse(mangled)).as("%s", mangled)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
                .as("an unknown algorithm").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedNotesAreRefused() {
        NoteVerifier peter = NoteVerifier.parse(PETER);

        assertThatThrownBy(() -> peter.open(TEXT)).hasMessageContaining("malformed");
        assertThatThrownBy(() -> peter.open(PETER_SIGNED.substring(0, PETER_SIGNED.length() - 1)))
                .hasMessageContaining("malformed");
        assertThatThrownBy(() -> peter.open(PETER_SIGNED.replace("\u2014 ", "- "))).hasMessageContaining("malformed");
        assertThatThrownBy(() -> peter.open(PETER_SIGNED.replace("problem,", "problem,\t")))
                .hasMessageContaining("malformed");
    }

    private static byte[] seed(String signerKey) {
        byte[] decoded = Base64.getDecoder().decode(signerKey);
        assertThat(decoded[0]).as("the algorithm byte of Ed25519").isEqualTo((byte) 1);
        return Arrays.copyOfRange(decoded, 1, decoded.length);
    }
}
