package dev.claimsledger.server.ledger;

import dev.claimsledger.merkle.CheckpointSigner;
import dev.claimsledger.merkle.Checkpoints;
import dev.claimsledger.merkle.MerkleLog;
import dev.claimsledger.merkle.MerkleLogWriter;
import dev.claimsledger.merkle.NoteSigner;
import dev.claimsledger.server.ClaimsProperties;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;

/**
 * Signs a checkpoint of the Merkle log every {@code claims.checkpoints.interval} while the log grows, with the key
 * {@link CheckpointKeys} finds. The key is loaded when the application starts, after every bean exists (so that a
 * missing API keys file is still the first complaint) and before the HTTP port opens, and the verifier key is printed
 * then.
 */
class LedgerCheckpoints implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LedgerCheckpoints.class);

    private final ClaimsProperties properties;
    private final Environment environment;
    private final MerkleLogWriter writer;
    private final MerkleLog merkleLog;
    private final Checkpoints checkpoints;
    private volatile CheckpointSigner signer;
    private ScheduledExecutorService schedule;

    LedgerCheckpoints(ClaimsProperties properties, Environment environment, MerkleLogWriter writer, MerkleLog merkleLog,
                      Checkpoints checkpoints) {
        this.properties = properties;
        this.environment = environment;
        this.writer = writer;
        this.merkleLog = merkleLog;
        this.checkpoints = checkpoints;
    }

    @Override
    public synchronized void start() {
        if (properties.checkpoints().interval().toMillis() < 1) {
            throw new IllegalStateException("claims.checkpoints.interval must be at least 1ms, was "
                    + properties.checkpoints().interval());
        }
        NoteSigner noteSigner = CheckpointKeys.signer(properties.checkpoints(), properties.dataDir(),
                Arrays.asList(environment.getActiveProfiles()));
        signer = new CheckpointSigner(noteSigner, writer, merkleLog, checkpoints);
        log.info("Checkpoints of the Merkle log are signed as '{}' every {}; verifier key: {}", noteSigner.name(),
                properties.checkpoints().interval(), noteSigner.verifierKey());
        schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ledger-checkpoints");
            thread.setDaemon(true);
            return thread;
        });
        long interval = properties.checkpoints().interval().toMillis();
        schedule.scheduleWithFixedDelay(this::signIfGrown, 0, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (schedule != null) {
            schedule.shutdown();
            try {
                schedule.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            schedule = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return schedule != null;
    }

    /** Early, so that a missing key stops start-up before the HTTP port opens. */
    @Override
    public int getPhase() {
        return 0;
    }

    /** The verifier key of the checkpoints, {@code <origin>+<key ID>+<key>}. */
    public String verifierKey() {
        CheckpointSigner current = signer;
        if (current == null) {
            throw new IllegalStateException("the checkpoint signing key is not loaded yet");
        }
        return current.verifierKey();
    }

    private void signIfGrown() {
        try {
            signer.signIfGrown();
        } catch (RuntimeException e) {
            log.warn("could not sign a checkpoint of the Merkle log; trying again in {}: {}",
                    properties.checkpoints().interval(), e.toString());
        }
    }
}
