package dev.claimsledger.server.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.support.ClaimReaders.Claim;
import dev.claimsledger.server.support.ClaimReaders.Outcome;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A rebuild of the read model while {@link ClaimReaders} poll existing claims through every node and a writer keeps
 * heartbeating some of them: the run the tests of reads during a rebuild share.
 */
public final class RebuildWhileReading {

    /**
     * @param finished    the rebuild's last progress answer
     * @param readers     what the readers saw from before the rebuild started until it ended
     * @param readsDuring reads answered while it ran
     * @param heartbeats  heartbeats the writer recorded meanwhile
     */
    public record Result(JsonNode finished, Outcome readers, long readsDuring, long heartbeats) {
    }

    private RebuildWhileReading() {
    }

    /**
     * Starts the readers on {@code readThrough}, a writer heartbeating the first {@code written} claims through
     * {@code writeThrough}, then a rebuild through {@code rebuildThrough}; returns once the rebuild has ended.
     *
     * @param whileRunning given the rebuild's 202 answer right after it started
     */
    public static Result run(List<LedgerHttp> readThrough, LedgerHttp rebuildThrough, LedgerHttp writeThrough,
                             List<Claim> claims, int written, Consumer<Reply> whileRunning) throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong heartbeats = new AtomicLong();
        Future<?> writes = writer.submit(() -> {
            for (int i = 0; writing.get(); i++) {
                Claim claim = claims.get(i % written);
                writeThrough.postExpecting(200, LedgerHttp.heartbeats(claim.tenant(), claim.consumer(),
                        claim.epoch()), null);
                heartbeats.incrementAndGet();
            }
        });
        try (ClaimReaders readers = ClaimReaders.start(readThrough, claims)) {
            long readsBefore = readers.reads();
            Reply started = rebuildThrough.post(LedgerHttp.REBUILD);
            assertThat(started.status()).as("%s", started).isEqualTo(202);
            whileRunning.accept(started);
            JsonNode finished = awaitFinished(rebuildThrough, started.location());
            long readsDuring = readers.reads() - readsBefore;
            Outcome outcome = readers.stop();
            writing.set(false);
            writes.get();
            return new Result(finished, outcome, readsDuring, heartbeats.get());
        } finally {
            writing.set(false);
            writer.shutdown();
        }
    }

    /** Polls a rebuild's progress until it no longer runs; its last answer. */
    public static JsonNode awaitFinished(LedgerHttp http, String location) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Reply reply = http.get(location);
            assertThat(reply.status()).as("%s", reply).isEqualTo(200);
            last[0] = reply.json();
            return !"running".equals(last[0].get("state").asText());
        });
        return last[0];
    }
}
