package dev.claimsledger.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;

/**
 * The design the ledger replaces, on its own stack: {@code claims-bench/baseline-node/server.js}, Node's http module
 * and node-postgres with a pool as large as the benchmark's clients, doing one UPDATE ... RETURNING per heartbeat on
 * a copy of the read model's rows ({@link #TABLE}), behind the same kind of bearer-key check as the ledger.
 */
final class NodeBaseline extends ServerProcess {

    static final String TABLE = "bench_baseline.consumer_claims";

    private NodeBaseline(Options options) {
        super("Node baseline", "http://127.0.0.1:" + options.baselinePort(),
                options.workDir().resolve("bench-baseline-node.log"));
    }

    /** Starts the server and waits until it accepts connections. */
    static NodeBaseline start(Options options, String apiKeySha256) {
        NodeBaseline node = new NodeBaseline(options);
        String url = "postgresql://" + options.jdbcUser() + ":" + options.jdbcPassword() + "@"
                + options.jdbcUrl().substring("jdbc:postgresql://".length());
        node.launch(List.of("node", options.benchDir().resolve("baseline-node/server.js").toString()), Map.of(
                "PORT", Integer.toString(options.baselinePort()), "DATABASE_URL", url,
                "POOL_SIZE", Integer.toString(options.clients()), "CLAIMS_TABLE", TABLE,
                "API_KEY_SHA256", apiKeySha256));
        for (int attempt = 0; !node.listening(options.baselinePort()); attempt++) {
            node.checkAlive();
            if (attempt > 600) {
                throw new IllegalStateException("the Node baseline did not listen within a minute");
            }
            LedgerServer.sleep(100);
        }
        return node;
    }

    private boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
