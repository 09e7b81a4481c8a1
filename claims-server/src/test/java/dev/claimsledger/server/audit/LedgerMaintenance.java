package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.compaction.PassedPositions;
import dev.claimsledger.merkle.Checkpoint;
import dev.claimsledger.merkle.NoteVerifier;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import java.time.Duration;

/** What the compaction and retention tests ask of a running ledger: a compaction, a checkpoint, passed positions. */
final class LedgerMaintenance {

    private LedgerMaintenance() {
    }

    /** Starts a compaction (with retention after it, when the ledger has it) and waits until it is done. */
    static JsonNode compact(LedgerHttp http) {
        Reply started = http.post("/v1/admin/compactions");
        assertThat(started.status()).as("%s", started).isEqualTo(202);
        String location = started.location();
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> http.get(location).json(), progress -> !"running".equals(progress.path("state").asText()))
                .deepCopy();
    }

    /** The latest signed checkpoint, once the Merkle log holds at least {@code events} leaves. */
    static Checkpoint checkpointOfEvery(LedgerHttp http, long events) {
        NoteVerifier key = NoteVerifier.parse(http.get("/v1/admin/ledger/public-key").body().strip());
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Reply reply = http.get("/v1/admin/ledger/checkpoint");
                    return reply.status() == 200 ? Checkpoint.open(reply.body(), key) : null;
                }, checkpoint -> checkpoint != null && checkpoint.size() >= events);
    }

    /** Every event up to {@code head} counts as passed by every processor, none after it. */
    static PassedPositions passedUpTo(long head) {
        return new PassedPositions() {
            @Override
            public long below() {
                return head + 1;
            }

            @Override
            public boolean passed(String streamId, long position) {
                return position <= head;
            }
        };
    }
}
