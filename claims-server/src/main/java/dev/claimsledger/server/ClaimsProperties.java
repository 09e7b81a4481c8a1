package dev.claimsledger.server;

import dev.claimsledger.compaction.CompactionPace;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The ledger's own settings, under {@code claims.*}. Every one has a default that works for the embedded run; the
 * README lists them.
 *
 * @param dataDir   where the embedded H2 database lives
 * @param lease     the TTLs a claim may ask for
 * @param snapshot  how often the Claim aggregate is snapshotted
 * @param eventStore how the event store is read
 * @param aggregateCache the consumers' streams kept in memory
 * @param deadlines the persistent deadline scheduler
 * @param http      the HTTP API
 * @param security  who may call the HTTP API
 * @param changes   the server-sent streams of claim changes
 * @param compaction the compaction of old heartbeats
 * @param retention  how long compacted heartbeats keep their detail
 * @param checkpoints the signed checkpoints of the Merkle log
 */
@ConfigurationProperties("claims")
public record ClaimsProperties(@DefaultValue("./data") Path dataDir,
                               @DefaultValue Lease lease,
                               @DefaultValue Snapshot snapshot,
                               @DefaultValue EventStore eventStore,
                               @DefaultValue AggregateCache aggregateCache,
                               @DefaultValue Deadlines deadlines,
                               @DefaultValue Http http,
                               @DefaultValue Security security,
                               @DefaultValue Changes changes,
                               @DefaultValue Compaction compaction,
                               @DefaultValue Retention retention,
                               @DefaultValue Checkpoints checkpoints) {

    /**
     * @param minTtl the shortest lease a claim may ask for
     * @param maxTtl the longest lease a claim may ask for
     */
    public record Lease(@DefaultValue("1s") Duration minTtl, @DefaultValue("10m") Duration maxTtl) {
    }

    /**
     * @param threshold a snapshot is taken after this many events have been read to load a consumer's stream
     */
    public record Snapshot(@DefaultValue("250") int threshold) {
    }

    /**
     * @param fetchBatchSize how many events an event processor reads from the store per query
     * @param gapTimeout     how old (by its timestamp) an event must be, when a processor reads it, before the positions
     *                       below it that are still missing count as never to be filled: a transaction that commits
     *                       events later than that after deciding them could have them skipped by the processors
     * @param processorLinger how long a tracking processor waits after an event arrives, while events trickle in,
     *                       before it applies its batch: fewer, larger transactions for at most this much projection
     *                       lag; {@code 0} applies each event as soon as it is read
     * @param readDelay      how long after a commit of this node the shared event reader looks for the new events:
     *                       the commits within it are read with one query; {@code 0} reads after every commit
     * @param cachedEvents   how many of the newest events the shared event reader keeps for the processors that
     *                       follow the head; a processor further behind reads the store itself
     */
    public record EventStore(@DefaultValue("1000") int fetchBatchSize, @DefaultValue("10m") Duration gapTimeout,
                             @DefaultValue("10ms") Duration processorLinger, @DefaultValue("5ms") Duration readDelay,
                             @DefaultValue("3000") int cachedEvents) {

        public EventStore {
            if (gapTimeout.isNegative() || gapTimeout.isZero() || gapTimeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("claims.event-store.gap-timeout must be positive and at most "
                        + Duration.ofMillis(Integer.MAX_VALUE) + ", was " + gapTimeout);
            }
            if (processorLinger.isNegative() || processorLinger.compareTo(LingeringEventSource.MAX_LINGER) > 0) {
                throw new IllegalArgumentException("claims.event-store.processor-linger must be from 0 to "
                        + LingeringEventSource.MAX_LINGER.toMillis() + "ms, was " + processorLinger);
            }
            if (cachedEvents < 1) {
                throw new IllegalArgumentException("claims.event-store.cached-events must be at least 1, was "
                        + cachedEvents);
            }
            if (readDelay.isNegative() || readDelay.compareTo(CoalescingEventStore.MAX_READ_DELAY) > 0) {
                throw new IllegalArgumentException("claims.event-store.read-delay must be from 0 to "
                        + CoalescingEventStore.MAX_READ_DELAY.toMillis() + "ms, was " + readDelay);
            }
        }
    }

    /**
     * @param capacity how many consumers' streams are kept in memory (each checked against the store before use);
     *                 0 loads every stream from the store
     */
    public record AggregateCache(@DefaultValue("10000") int capacity) {
    }

    /**
     * @param pollingInterval how often the scheduler looks for due deadlines; bounds how late an expiry can be
     */
    public record Deadlines(@DefaultValue("1s") Duration pollingInterval) {
    }

    /**
     * @param requestTimeout how long a request waits for its command or query before it answers 503
     * @param maxBodySize    the largest request body taken; a larger one answers 413
     */
    public record Http(@DefaultValue("10s") Duration requestTimeout,
                       @DefaultValue("64KB") DataSize maxBodySize) {
    }

    /**
     * @param apiKeysFile the API keys (YAML or JSON); without it the service runs open, which it allows only on a
     *                    loopback address and outside the {@code postgres} profile
     */
    public record Security(Path apiKeysFile) {
    }

    /**
     * @param pollInterval how often an open stream looks for new events in the event store
     * @param maxStreams   how many streams a node serves at once; one more is refused with 503
     * @param maxDuration  how long a stream stays open; the client then reconnects and resumes, which checks its key
     *                     again
     * @param keepAlive    how long a stream may go without sending anything before it sends a comment line, so that
     *                     proxies keep it open
     */
    public record Changes(@DefaultValue("300ms") Duration pollInterval,
                          @DefaultValue("16") int maxStreams,
                          @DefaultValue("5m") Duration maxDuration,
                          @DefaultValue("10s") Duration keepAlive) {
    }

    /**
     * @param enabled   whether this node compacts by itself every {@code interval}; on demand it always can
     * @param hotWindow heartbeats younger than this stay events of their own
     * @param interval  how often this node compacts by itself
     * @param maxRate   the most heartbeats a compaction compacts per second, scheduled or on demand; 0 for no limit
     * @param dutyCycle the largest share of time a compaction spends in its transactions, more than 0 and at most 1;
     *                  it pauses after each for long enough, so that it slows down where the database is busy
     */
    public record Compaction(@DefaultValue("true") boolean enabled, @DefaultValue("5m") Duration hotWindow,
                             @DefaultValue("1m") Duration interval, @DefaultValue("2000") long maxRate,
                             @DefaultValue("0.1") double dutyCycle) {

        public Compaction {
            if (maxRate < 0) {
                throw new IllegalArgumentException("claims.compaction.max-rate must be 0 (no limit) or more, was "
                        + maxRate);
            }
            if (!(dutyCycle > 0 && dutyCycle <= 1)) {
                throw new IllegalArgumentException("claims.compaction.duty-cycle must be more than 0 and at most 1, was "
                        + dutyCycle);
            }
        }

        public CompactionPace pace() {
            return new CompactionPace(maxRate, dutyCycle);
        }
    }

    /**
     * @param heartbeatDetail how long compacted heartbeats keep their detail; older runs are exported, then each becomes
     *                        a summary (count, first and last heartbeat, lease, chain anchors). Null, the default, keeps
     *                        every heartbeat for good
     * @param exportDirectory where retention exports what it drops; by default {@code retention-exports} in the data
     *                        directory
     */
    public record Retention(Duration heartbeatDetail, Path exportDirectory) {

        public Retention {
            if (heartbeatDetail != null && (heartbeatDetail.isNegative() || heartbeatDetail.isZero())) {
                throw new IllegalArgumentException("claims.retention.heartbeat-detail must be positive, or unset to keep"
                        + " every heartbeat's detail, was " + heartbeatDetail);
            }
        }

        public boolean enabled() {
            return heartbeatDetail != null;
        }

        /** The export directory, under {@code dataDir} unless one is set. */
        public Path exportDirectory(Path dataDir) {
            return exportDirectory != null ? exportDirectory : dataDir.resolve("retention-exports");
        }
    }

    /**
     * @param interval       how often the log's tree head is signed while it grows
     * @param signingKeyFile the PEM PKCS#8 Ed25519 private key that signs checkpoints; without it the embedded run
     *                       generates one in the data directory, and the {@code postgres} profile refuses to start
     * @param origin         the log's name in its checkpoints and its key's name; by default {@code claims-ledger/}
     *                       and 16 hex digits of the SHA-256 of the public key
     */
    public record Checkpoints(@DefaultValue("2s") Duration interval, Path signingKeyFile, String origin) {
    }
}
