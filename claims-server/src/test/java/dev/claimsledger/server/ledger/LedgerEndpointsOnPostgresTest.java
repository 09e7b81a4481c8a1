package dev.claimsledger.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.merkle.Checkpoint;
import dev.claimsledger.merkle.Leaf;
import dev.claimsledger.merkle.MerkleLogWriter;
import dev.claimsledger.merkle.NoteVerifier;
import dev.claimsledger.merkle.ProofVerification;
import dev.claimsledger.merkle.TreeHashes;
import dev.claimsledger.server.security.ApiKeys;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.RequiresPostgres;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ledger's checkpoint and proof endpoints over real HTTP on PostgreSQL, checked the way an auditor's RFC 9162
 * verifier checks them: the checkpoint with the served key, every event's inclusion proof against it, a later
 * checkpoint's consistency with an earlier one. One ledger serves the class.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerEndpointsOnPostgresTest {

    private static final String TENANT = "audited";
    private static final String WRITER = "writer-key";
    private static final String AUDITOR = "auditor-key";
    private static final String ADMIN = "admin-key";
    private static final String READER = "reader-key";

    @TempDir
    static Path directory;

    private CheckpointedLedger ledger;

    @BeforeAll
    void startAndFill() throws IOException {
        Path keys = directory.resolve("api-keys.yaml");
        Files.writeString(keys, entry("writer", WRITER, "claims:write, claims:read, claims:audit")
                + entry("auditor", AUDITOR, "claims:audit") + entry("admin", ADMIN, "claims:admin")
                + entry("reader", READER, "claims:read"));
        ledger = CheckpointedLedger.start(directory, Map.of("claims.security.api-keys-file", keys.toString()), WRITER);
        ledger.fill(TENANT, 4, 5);
    }

    @AfterAll
    void stop() {
        if (ledger != null) {
            ledger.close();
        }
    }

    @Test
    void theCheckpointIsASignedNoteOfEveryStoredEventThatThePublishedKeyVerifies() {
        String note = ledger.awaitCheckpointOfEveryEvent();

        Reply reply = auditor("/v1/admin/ledger/checkpoint");
        NoteVerifier key = NoteVerifier.parse(auditor("/v1/admin/ledger/public-key").body().strip());
        Checkpoint checkpoint = Checkpoint.open(note, key);
        assertThat(reply.contentType()).startsWith("text/plain");
        assertThat(checkpoint.origin()).isEqualTo(key.name()).startsWith("claims-ledger/");
        assertThat(note).startsWith(checkpoint.text() + "\n\u2014 " + key.name() + " ");
    }

    @Test
    void everyStoredEventHasAnInclusionProofThatVerifiesAgainstTheCheckpoint() throws SQLException {
        Checkpoint checkpoint = checkpoint(ledger.awaitCheckpointOfEveryEvent());
        List<StoredRow> rows = storedRows();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(4 * 6);

        for (StoredRow row : rows) {
            JsonNode proof = ok(auditor("/v1/admin/ledger/proofs/inclusion?position=" + row.position() + "&size="
                    + checkpoint.size()));
            byte[] leaf = Base64.getDecoder().decode(proof.get("leaf").asText());
            assertThat(proof.get("position").asLong()).isEqualTo(row.position());
            assertThat(proof.get("tree_size").asLong()).isEqualTo(checkpoint.size());
            assertThat(ProofVerification.inclusion(proof.get("leaf_index").asLong(), checkpoint.size(),
                    TreeHashes.leaf(leaf), hashes(proof), checkpoint.root())).as("inclusion of %s", row).isTrue();
            Leaf decoded = Leaf.decode(leaf);
            assertThat(decoded.position()).isEqualTo(row.position());
            assertThat(decoded.streamId()).isEqualTo(row.streamId());
            assertThat(decoded.sequence()).isEqualTo(row.sequence());
            assertThat(decoded.payloadType()).isEqualTo(row.payloadType());
            assertThat(decoded.payloadHash()).as("the stored payload bytes").isEqualTo(TreeHashes.sha256(row.payload()));
            assertThat(decoded.metadataHash()).as("the stored metadata bytes")
                    .isEqualTo(TreeHashes.sha256(row.metaData()));
        }
    }

    @Test
    void aLaterCheckpointIsProvenToExtendAnEarlierOne() {
        Checkpoint earlier = checkpoint(ledger.awaitCheckpointOfEveryEvent());
        ledger.fill(TENANT, 4, 2);
        Checkpoint later = checkpoint(ledger.awaitCheckpointOfEveryEvent());

        JsonNode proof = ok(auditor("/v1/admin/ledger/proofs/consistency?from=" + earlier.size() + "&to="
                + later.size()));

        assertThat(later.size()).isGreaterThan(earlier.size());
        assertThat(proof.get("from").asLong()).isEqualTo(earlier.size());
        assertThat(proof.get("to").asLong()).isEqualTo(later.size());
        assertThat(ProofVerification.consistency(earlier.size(), later.size(), earlier.root(), later.root(),
                hashes(proof))).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /v1/admin/ledger/proofs/consistency?from=1                    | 400 | validation_failed
            /v1/admin/ledger/proofs/consistency?from=x&to=2               | 400 | validation_failed
            /v1/admin/ledger/proofs/consistency?from=0x1&to=2             | 400 | validation_failed
            /v1/admin/ledger/proofs/consistency?from=0&to=2               | 400 | validation_failed
            /v1/admin/ledger/proofs/consistency?from=3&to=2               | 400 | validation_failed
            /v1/admin/ledger/proofs/consistency?from=1&to=999999999       | 400 | validation_failed
            /v1/admin/ledger/proofs/consistency?from=-1&to=2              | 400 | validation_failed
            /v1/admin/ledger/proofs/inclusion?position=1                  | 400 | validation_failed
            /v1/admin/ledger/proofs/inclusion?position=1&size=0           | 400 | validation_failed
            /v1/admin/ledger/proofs/inclusion?position=1&size=999999999   | 400 | validation_failed
            /v1/admin/ledger/proofs/inclusion?position=999999999&size=1   | 404 | not_found
            """)
    void malformedOrOutOfRangeParametersAreRefusedAndUnknownPositionsAreNotFound(String path, int status,
                                                                                String code) {
        ledger.awaitCheckpointOfEveryEvent();

        Reply reply = auditor(path);

        assertThat(reply.status()).as("%s", reply).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().get("code").asText()).isEqualTo(code);
    }

    @Test
    void theLedgerEndpointsNeedTheAuditScope() {
        for (String path : List.of("/v1/admin/ledger/checkpoint", "/v1/admin/ledger/public-key",
                "/v1/admin/ledger/proofs/consistency?from=1&to=1")) {
            assertThat(call(path, AUDITOR).status()).as("%s with the audit scope", path).isEqualTo(200);
            assertThat(call(path, ADMIN).status()).as("%s with the admin scope only", path).isEqualTo(403);
            assertThat(call(path, READER).status()).as("%s with the read scope only", path).isEqualTo(403);
            assertThat(call(path, null).status()).as("%s without a key", path).isEqualTo(401);
        }
    }

    @Test
    void theLogsWriterIsOneSegmentWhoseFailuresRollBackInsteadOfSkippingEvents() {
        ledger.awaitCheckpointOfEveryEvent();
        EventProcessingConfiguration processing = ledger.context().getBean(EventProcessingConfiguration.class);

        assertThat(ledger.count("SELECT count(*) FROM token_entry WHERE processor_name = '"
                + MerkleLogWriter.PROCESSING_GROUP + "'")).isEqualTo(1);
        assertThat(processing.listenerInvocationErrorHandler(MerkleLogWriter.PROCESSING_GROUP))
                .isInstanceOf(PropagatingErrorHandler.class);
    }

    private Reply auditor(String path) {
        return call(path, AUDITOR);
    }

    private Reply call(String path, String key) {
        return ledger.http().send(path, request -> key == null ? request.GET()
                : request.header("Authorization", "Bearer " + key).GET());
    }

    private static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        return reply.json();
    }

    private Checkpoint checkpoint(String note) {
        return Checkpoint.open(note, NoteVerifier.parse(auditor("/v1/admin/ledger/public-key").body().strip()));
    }

    private static List<byte[]> hashes(JsonNode proof) {
        List<byte[]> hashes = new ArrayList<>();
        proof.get("hashes").forEach(hash -> hashes.add(Base64.getDecoder().decode(hash.asText())));
        return hashes;
    }

    private List<StoredRow> storedRows() throws SQLException {
        List<StoredRow> rows = new ArrayList<>();
        try (Connection connection = ledger.database().connect();
             PreparedStatement statement = connection.prepareStatement("SELECT global_index, aggregate_identifier,"
                     + " sequence_number, payload_type, payload, meta_data FROM domain_event_entry"
                     + " ORDER BY global_index");
             ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                rows.add(new StoredRow(result.getLong(1), result.getString(2), result.getLong(3), result.getString(4),
                        result.getBytes(5), result.getBytes(6)));
            }
        }
        return rows;
    }

    private static String entry(String name, String key, String scopes) {
        return "- name: " + name + "\n  sha256: " + ApiKeys.sha256Hex(key) + "\n  scopes: [" + scopes + "]\n"
                + "  tenants: [\"*\"]\n";
    }

    /** A row of the event table as stored. */
    private record StoredRow(long position, String streamId, long sequence, String payloadType, byte[] payload,
                             byte[] metaData) {

        @Override
        public String toString() {
            return streamId + "#" + sequence + " (position " + position + ")";
        }
    }
}
