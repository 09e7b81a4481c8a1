package dev.claimsledger.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.core.EventChain;
import dev.claimsledger.core.LedgerObjectMapper;
import dev.claimsledger.merkle.Checkpoint;
import dev.claimsledger.merkle.Ed25519Keys;
import dev.claimsledger.merkle.MerkleRowsForgery;
import dev.claimsledger.merkle.NoteSigner;
import dev.claimsledger.merkle.NoteVerifier;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The auditor's routine on PostgreSQL: a checkpoint and the public key are saved from a running ledger over HTTP, the
 * ledger is stopped, and {@code verify} is run against its database after each way of rewriting history that the
 * per-stream hash chain cannot see. Every test tampers with the stored rows and puts them back afterwards.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyCommandOnPostgresTest {

    private static final String TENANT = "verified";
    private static final ObjectMapper STORED_JSON = LedgerObjectMapper.create();

    @TempDir
    static Path directory;

    private CheckpointedLedger ledger;
    private TestDatabase database;
    private Path savedCheckpoint;
    private Path publicKey;
    private Checkpoint saved;
    /** Every table of the ledger's schema, kept as it was when the checkpoint was saved. */
    private List<String> ledgerTables;

    @BeforeAll
    void saveACheckpointOfAFilledLedgerAndStopIt() throws Exception {
        ledger = CheckpointedLedger.start(directory, Map.of(), null);
        database = ledger.database();
        ledger.fill(TENANT, 12, 25);
        String note = ledger.awaitCheckpointOfEveryEvent();
        savedCheckpoint = Files.writeString(directory.resolve("saved.txt"), note);
        publicKey = Files.writeString(directory.resolve("key.pub"), ledger.publicKey());
        saved = Checkpoint.open(note, NoteVerifier.parse(Files.readString(publicKey).strip()));
        ledger.close();
        assertThat(saved.size()).as("more than one tile of 256 leaves").isGreaterThan(256).isEqualTo(12 * 26);
        ledgerTables = tablesOfTheSchema();
        for (String table : ledgerTables) {
            sql("CREATE TABLE kept_" + table + " AS SELECT * FROM " + table);
        }
    }

    @AfterEach
    void putTheRowsBack() throws SQLException {
        ledger.close();
        for (String table : ledgerTables) {
            sql("DELETE FROM " + table);
            sql("INSERT INTO " + table + " OVERRIDING SYSTEM VALUE SELECT * FROM kept_" + table);
        }
    }

    @AfterAll
    void stop() {
        ledger.close();
    }

    @Test
    void anUntouchedLedgerIsIntact() {
        VerifyRun run = verify();

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(VerifyCommand.INTACT).isZero();
        assertThat(run.out()).contains("its signature by " + NoteVerifier.parse(key()).describe() + " verifies")
                .contains("log: " + saved.size() + " leaves; " + saved.size() + " recomputed from their events")
                .contains("the log extends the checkpoint (" + saved.size() + " -> " + saved.size() + " leaves)")
                .contains("ledger intact");
        assertThat(run.findings()).isEmpty();
    }

    @Test
    void honestAppendsAfterTheCheckpointKeepItIntact() {
        ledger.restart();
        ledger.fill(TENANT, 12, 3);
        ledger.awaitCheckpointOfEveryEvent();
        ledger.close();

        VerifyRun run = verify();

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(VerifyCommand.INTACT);
        assertThat(run.out()).contains("the log extends the checkpoint (" + saved.size() + " -> "
                + (saved.size() + 36) + " leaves)").contains("ledger intact");
    }

    @Test
    void deletingTheTailOfAStreamIsCaughtNamingItsLeaves() throws SQLException {
        List<Long> tail = positions("SELECT global_index FROM domain_event_entry WHERE aggregate_identifier = ?"
                + " ORDER BY sequence_number DESC LIMIT 2", stream(3));
        sql("DELETE FROM domain_event_entry WHERE global_index IN (" + tail.get(0) + ", " + tail.get(1) + ")");

        VerifyRun run = verify();

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(VerifyCommand.NOT_INTACT).isEqualTo(1);
        assertThat(run.namesPosition(tail.get(0)) && run.namesPosition(tail.get(1))).as("%s", run).isTrue();
        assertThat(run.findings()).as("%s", run).allMatch(line -> line.endsWith("the event is missing"));
        assertThat(run.out()).contains("ledger NOT intact");
    }

    @Test
    void deletingAWholeStreamIsCaughtNamingEveryLeafOfIt() throws SQLException {
        List<Long> stream = positions("SELECT global_index FROM domain_event_entry WHERE aggregate_identifier = ?",
                stream(5));
        sql("DELETE FROM domain_event_entry WHERE aggregate_identifier = '" + stream(5) + "'");

        VerifyRun run = verify();

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(VerifyCommand.NOT_INTACT);
        assertThat(stream).hasSize(26).allMatch(run::namesPosition);
    }

    @Test
    void rewritingAStreamWithItsHashChainRecomputedIsCaught() throws Exception {
        List<Long> rewritten = rewriteLeasesKeepingTheChain(stream(7));
        assertThat(chainHolds(stream(7))).as("the hash chain alone sees nothing").isTrue();

        VerifyRun run = verify();

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(VerifyCommand.NOT_INTACT);
        assertThat(rewritten).allMatch(run::namesPosition);
        assertThat(run.findings()).anyMatch(line -> line.contains("no longer hash"));
    }

    @Test
    void rewritingAStreamWithTheMerkleRowsRecomputedTooIsCaughtByTheSavedCheckpoint() throws Exception {
        rewriteLeasesKeepingTheChain(stream(7));
        MerkleRowsForgery.recomputeFromTheEvents(new DriverManagerDataSource(database.jdbcUrl(), database.user(),
                database.password()));
        assertThat(chainHolds(stream(7))).isTrue();

        VerifyRun run = verify();

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(VerifyCommand.NOT_INTACT);
        assertThat(run.out()).as("%s", run).contains("the log does NOT extend the checkpoint");
        assertThat(run.findings()).as("%s", run)
                .contains("NOT INTACT leaves 0.." + (saved.size() - 1) + ": the events no longer hash to the saved"
                        + " checkpoint's root")
                .noneMatch(line -> line.contains("the log's stored tile") || line.contains("the log's leaf"));
    }

    @Test
    void truncatingTheEventTableIsCaught() throws SQLException {
        sql("TRUNCATE domain_event_entry");

        VerifyRun run = verify();

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(VerifyCommand.NOT_INTACT);
        assertThat(run.findings()).as("%s", run).first().asString()
                .startsWith("NOT INTACT leaves 0.." + (saved.size() - 1) + " (positions ")
                .endsWith("the event is missing");
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsRefused() throws IOException {
        NoteSigner impostor = new NoteSigner(saved.origin(), Ed25519Keys.generate());
        Path forged = Files.writeString(directory.resolve("forged.txt"), impostor.sign(saved.text()));
        Path otherKey = Files.writeString(directory.resolve("other.pub"), impostor.verifierKey() + "\n");

        VerifyRun forgedCheckpoint = VerifyRun.of(withDatabase("--checkpoint", forged.toString(), "--public-key",
                publicKey.toString()));
        VerifyRun otherPublicKey = VerifyRun.of(withDatabase("--checkpoint", savedCheckpoint.toString(),
                "--public-key", otherKey.toString()));

        assertThat(forgedCheckpoint.exitStatus()).as("%s", forgedCheckpoint).isEqualTo(VerifyCommand.COULD_NOT_RUN);
        assertThat(forgedCheckpoint.err()).contains("refused").contains("no signature by the key "
                + NoteVerifier.parse(key()).describe());
        assertThat(otherPublicKey.exitStatus()).as("%s", otherPublicKey).isEqualTo(VerifyCommand.COULD_NOT_RUN);
        assertThat(otherPublicKey.err()).contains("refused");
        assertThat(forgedCheckpoint.out() + otherPublicKey.out()).doesNotContain("ledger intact");
    }

    @Test
    void anUnreachableDatabaseExitsTwo() {
        VerifyRun run = VerifyRun.of("--checkpoint", savedCheckpoint.toString(), "--public-key", publicKey.toString(),
                "--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/claims_test",
                "--spring.datasource.username=claims", "--spring.datasource.password=claims");

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(VerifyCommand.COULD_NOT_RUN);
        assertThat(run.err()).contains("could not run");
    }

    private VerifyRun verify() {
        return VerifyRun.of(withDatabase("--checkpoint", savedCheckpoint.toString(), "--public-key",
                publicKey.toString()));
    }

    private String[] withDatabase(String... arguments) {
        List<String> all = new ArrayList<>(List.of(arguments));
        all.add("--spring.datasource.url=" + database.jdbcUrl());
        all.add("--spring.datasource.username=" + database.user());
        all.add("--spring.datasource.password=" + database.password());
        return all.toArray(String[]::new);
    }

    private String key() {
        try {
            return Files.readString(publicKey).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stream(int consumer) {
        return ConsumerRef.streamId(TENANT, "worker-" + consumer);
    }

    /**
     * Moves every lease end of a stream to 2099, then recomputes the stream's hash chain as README describes it, so
     * that each event's {@code ledger.chainHash} matches its new payload.
     *
     * @return the positions rewritten
     */
    private List<Long> rewriteLeasesKeepingTheChain(String streamId) throws Exception {
        List<Long> rewritten = new ArrayList<>();
        String previous = "";
        try (Connection connection = database.connect();
             PreparedStatement select = connection.prepareStatement("SELECT global_index, sequence_number,"
                     + " payload_type, payload, meta_data FROM domain_event_entry WHERE aggregate_identifier = ?"
                     + " ORDER BY sequence_number");
             PreparedStatement update = connection.prepareStatement("UPDATE domain_event_entry SET payload = ?,"
                     + " meta_data = ? WHERE global_index = ?")) {
            select.setString(1, streamId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ObjectNode payload = (ObjectNode) STORED_JSON.readTree(rows.getBytes("payload"));
                    payload.put("leaseExpiresAt", "2099-01-01T00:00:00Z");
                    byte[] newPayload = STORED_JSON.writeValueAsBytes(payload);
                    String hash = EventChain.hash(streamId, rows.getLong("sequence_number"),
                            rows.getString("payload_type"), newPayload, previous);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> metaData = STORED_JSON.readValue(rows.getBytes("meta_data"), LinkedHashMap.class);
                    metaData.put(EventChain.HASH_KEY, hash);
                    update.setBytes(1, newPayload);
                    update.setBytes(2, STORED_JSON.writeValueAsBytes(metaData));
                    update.setLong(3, rows.getLong("global_index"));
                    update.executeUpdate();
                    rewritten.add(rows.getLong("global_index"));
                    previous = hash;
                }
            }
        }
        return rewritten;
    }

    /** Whether every event of the stream carries the chain hash README's algorithm gives for its stored bytes. */
    private boolean chainHolds(String streamId) throws Exception {
        String previous = "";
        try (Connection connection = database.connect();
             PreparedStatement select = connection.prepareStatement("SELECT sequence_number, payload_type, payload,"
                     + " meta_data FROM domain_event_entry WHERE aggregate_identifier = ? ORDER BY sequence_number")) {
            select.setString(1, streamId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String expected = EventChain.hash(streamId, rows.getLong(1), rows.getString(2), rows.getBytes(3),
                            previous);
                    String recorded = STORED_JSON.readTree(rows.getBytes(4)).get(EventChain.HASH_KEY).asText();
                    if (!expected.equals(recorded)) {
                        return false;
                    }
                    previous = recorded;
                }
            }
        }
        return true;
    }

    private List<String> tablesOfTheSchema() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = database.connect();
             ResultSet rows = connection.getMetaData().getTables(null, connection.getSchema(), "%",
                     new String[]{"TABLE"})) {
            while (rows.next()) {
                String table = rows.getString("TABLE_NAME");
                if (!table.equals("flyway_schema_history")) {
                    tables.add(table);
                }
            }
        }
        assertThat(tables).contains("domain_event_entry", "merkle_tile", "merkle_log_head", "merkle_checkpoint");
        return tables;
    }

    private List<Long> positions(String sql, String parameter) throws SQLException {
        List<Long> positions = new ArrayList<>();
        try (Connection connection = database.connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    positions.add(rows.getLong(1));
                }
            }
        }
        return positions;
    }

    private void sql(String statement) throws SQLException {
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }
}
