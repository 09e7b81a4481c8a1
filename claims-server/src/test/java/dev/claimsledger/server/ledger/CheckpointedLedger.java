package dev.claimsledger.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claimsledger.merkle.Checkpoint;
import dev.claimsledger.merkle.Ed25519Keys;
import dev.claimsledger.merkle.NoteVerifier;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A ledger with its HTTP API on a fresh PostgreSQL schema, signing checkpoints every 200 ms with a key of the test's
 * own, filled over HTTP with claims and batches of heartbeats (leases long enough that nothing expires meanwhile).
 */
final class CheckpointedLedger implements AutoCloseable {

    static final String LEASE = "600000";

    private final TestDatabase database;
    private final Path signingKey;
    private final Map<String, Object> settings;
    private final String bearer;
    private ConfigurableApplicationContext context;
    private LedgerHttp http;

    private CheckpointedLedger(TestDatabase database, Path signingKey, Map<String, Object> settings, String bearer) {
        this.database = database;
        this.signingKey = signingKey;
        this.settings = settings;
        this.bearer = bearer;
    }

    /**
     * @param directory where the signing key is kept
     * @param settings  more settings (an API keys file, for example)
     * @param bearer    the API key to call with, or null in open mode
     */
    static CheckpointedLedger start(Path directory, Map<String, Object> settings, String bearer) {
        try {
            Path key = directory.resolve("checkpoint-signing-key.pem");
            Ed25519Keys.generateUnlessPresent(key);
            CheckpointedLedger ledger = new CheckpointedLedger(TestDatabase.freshPostgresSchema(), key, settings, bearer);
            ledger.restart();
            return ledger;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the ledger (again) on the same schema and key. */
    void restart() {
        Map<String, Object> properties = new HashMap<>(settings);
        properties.put("claims.checkpoints.signing-key-file", signingKey.toString());
        properties.put("claims.checkpoints.interval", "200ms");
        context = Ledger.startWithHttp(database, properties);
        http = LedgerHttp.heldToTheServedDocument(Ledger.baseUrl(context));
    }

    TestDatabase database() {
        return database;
    }

    ConfigurableApplicationContext context() {
        return context;
    }

    LedgerHttp http() {
        return http;
    }

    /** A GET with this ledger's key. */
    Reply get(String path) {
        return http.send(path, authorized(HttpRequest.Builder::GET));
    }

    /** Claims {@code consumers} consumers of {@code tenant} and records {@code heartbeats} heartbeats for each. */
    void fill(String tenant, int consumers, int heartbeats) {
        for (int c = 0; c < consumers; c++) {
            String claim = "{\"consumer_id\":\"worker-" + c + "\",\"epoch\":1,\"entity_url\":\"https://example.test/" + c
                    + "\",\"stream_path\":\"/" + c + "\",\"lease_ttl_ms\":" + LEASE + "}";
            Reply reply = http.send(LedgerHttp.claims(tenant), authorized(LedgerHttp.postJson(claim)));
            assertThat(reply.status()).as("claim %d: %s", c, reply).isIn(200, 201);
        }
        for (int round = 0; round < heartbeats; round++) {
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                batch.add(Map.of("consumer_id", "worker-" + c, "epoch", 1));
            }
            Reply reply = http.send(LedgerHttp.heartbeatBatch(tenant),
                    authorized(LedgerHttp.postJson(LedgerHttp.write(Map.of("heartbeats", batch)))));
            assertThat(reply.status()).as("heartbeats: %s", reply).isEqualTo(200);
        }
    }

    long storedEvents() {
        return count("SELECT count(*) FROM domain_event_entry");
    }

    /** Waits for a checkpoint of at least every stored event, checks it with the served key and returns its note. */
    String awaitCheckpointOfEveryEvent() {
        long events = storedEvents();
        NoteVerifier key = NoteVerifier.parse(publicKey().strip());
        String[] note = new String[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Reply reply = get("/v1/admin/ledger/checkpoint");
            assertThat(reply.status()).as("%s", reply).isEqualTo(200);
            assertThat(Checkpoint.open(reply.body(), key).size()).isGreaterThanOrEqualTo(events);
            note[0] = reply.body();
        });
        return note[0];
    }

    String publicKey() {
        Reply reply = get("/v1/admin/ledger/public-key");
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        return reply.body();
    }

    long count(String sql) {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private UnaryOperator<HttpRequest.Builder> authorized(UnaryOperator<HttpRequest.Builder> shape) {
        return request -> bearer == null ? shape.apply(request)
                : shape.apply(request.header("Authorization", "Bearer " + bearer));
    }

    @Override
    public void close() {
        if (context != null) {
            context.close();
            context = null;
        }
    }
}
