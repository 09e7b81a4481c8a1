package dev.claimsledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing keys as openssl writes them. {@code openssl-ed25519.pem} was made with
 * {@code openssl genpkey -algorithm ed25519} (OpenSSL 3.0), {@code openssl-ed25519.pub.pem} with
 * {@code openssl pkey -pubout} from it, and the signature below with
 * {@code printf 'claims-ledger/openssl-test\n42\n' | openssl pkeyutl -sign -rawin -inkey openssl-ed25519.pem}.
 */
class Ed25519KeysTest {

    private static final String OPENSSL_SIGNATURE = "nJ2KTmx5XgjHx+bzhRmuZilJhOirrPSFqEss020wAElxhrPd3jcVgNgHuNmPSrGX"
            + "AxjFQWtl93al4bt1cKdsDQ==";

    @TempDir
    Path directory;

    @Test
    void aKeyWrittenByOpensslIsReadAndGivesOpensslsPublicKey() throws Exception {
        PrivateKey key = Ed25519Keys.readPrivateKey(resource("openssl-ed25519.pem"));

        assertThat(Ed25519Keys.publicKeyOf(key)).isEqualTo(opensslPublicKey());
    }

    @Test
    void itSignsAsOpensslSigns() throws Exception {
        PrivateKey key = Ed25519Keys.readPrivateKey(resource("openssl-ed25519.pem"));
        NoteSigner signer = new NoteSigner("claims-ledger/openssl-test", key);

        String note = signer.sign("claims-ledger/openssl-test\n42\n");

        byte[] line = Base64.getDecoder().decode(note.substring(note.lastIndexOf(' ') + 1).trim());
        assertThat(Base64.getEncoder().encodeToString(Arrays.copyOfRange(line, 4, line.length)))
                .isEqualTo(OPENSSL_SIGNATURE);
    }

    @Test
    void aGeneratedKeyIsWrittenForItsOwnerOnlyAndReadBackUnchanged() throws IOException {
        Path file = directory.resolve("keys").resolve("signing-key.pem");

        PrivateKey generated = Ed25519Keys.generateUnlessPresent(file);
        PrivateKey again = Ed25519Keys.generateUnlessPresent(file);

        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("-----END PRIVATE KEY-----\n");
        assertThat(Ed25519Keys.publicKeyOf(again)).isEqualTo(Ed25519Keys.publicKeyOf(generated));
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
        assertThat(Files.list(file.getParent())).as("no temporary file left").containsExactly(file);
    }

    @Test
    void aFileWithoutAnEd25519KeyIsRefusedSayingHowToMakeOne() throws IOException {
        Path publicKey = resource("openssl-ed25519.pub.pem");
        Path rsa = directory.resolve("rsa.pem");
        Files.writeString(rsa, "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n"
                + "-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> Ed25519Keys.readPrivateKey(publicKey)).hasMessageContaining(publicKey.toString())
                .hasMessageContaining("openssl genpkey -algorithm ed25519");
        assertThatThrownBy(() -> Ed25519Keys.readPrivateKey(rsa)).hasMessageContaining("not Ed25519");
        assertThatThrownBy(() -> Ed25519Keys.readPrivateKey(directory.resolve("absent.pem")))
                .hasMessageContaining("cannot read");
    }

    private static byte[] opensslPublicKey() throws IOException, URISyntaxException {
        String pem = Files.readString(resource("openssl-ed25519.pub.pem"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replace("-----BEGIN PUBLIC KEY-----", "")
                .replace("-----END PUBLIC KEY-----", ""));
        return Arrays.copyOfRange(der, der.length - 32, der.length);
    }

    private static Path resource(String name) {
        try {
            return Path.of(Ed25519KeysTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
