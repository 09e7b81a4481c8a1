package dev.claimsledger.server.compaction;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.compaction.Compactions;
import dev.claimsledger.compaction.Compactions.Compaction;
import dev.claimsledger.compaction.Compactor;
import dev.claimsledger.core.ClaimRejectedException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Compacting old heartbeats on demand; a compaction's progress at its {@code Location}, as a rebuild's.
 */
@RestController
@RequestMapping(path = "/v1/admin/compactions", produces = MediaType.APPLICATION_JSON_VALUE)
class CompactionController {

    private final Compactions compactions;
    private final Clock clock;

    CompactionController(Compactions compactions, Clock clock) {
        this.compactions = compactions;
        this.clock = clock;
    }

    @PostMapping
    ResponseEntity<CompactionJson> compact() {
        Compaction compaction;
        try {
            compaction = compactions.request();
        } catch (IllegalStateException running) {
            throw new ClaimRejectedException(ClaimErrorCode.CONFLICT, running.getMessage());
        }
        return ResponseEntity.accepted()
                .location(URI.create("/v1/admin/compactions/" + compaction.id()))
                .body(CompactionJson.of(compaction, clock.instant()));
    }

    @GetMapping("/{id}")
    CompactionJson progress(@PathVariable String id) {
        return compactions.find(id)
                .map(compaction -> CompactionJson.of(compaction, clock.instant()))
                .orElseThrow(() -> new ClaimRejectedException(ClaimErrorCode.NOT_FOUND, "no compaction " + id));
    }

    /** A compaction's progress, and what it did once done. */
    record CompactionJson(@JsonProperty("id") String id,
                          @JsonProperty("state") String state,
                          @JsonProperty("processed") long processed,
                          @JsonProperty("total") long total,
                          @JsonProperty("events_per_second") double eventsPerSecond,
                          @JsonProperty("eta_ms") Long etaMs,
                          @JsonProperty("started_at") Instant startedAt,
                          @JsonProperty("heartbeats_compacted") Long heartbeatsCompacted,
                          @JsonProperty("rows_removed") Long rowsRemoved,
                          @JsonProperty("bytes_reclaimed") Long bytesReclaimed,
                          @JsonProperty("failure") String failure) {

        static CompactionJson of(Compaction compaction, Instant now) {
            Compactor.Result result = compaction.result();
            return new CompactionJson(compaction.id(), compaction.state().name().toLowerCase(Locale.ROOT),
                    compaction.processed(), compaction.total(),
                    Math.round(compaction.eventsPerSecond(now) * 10) / 10.0, compaction.etaMillis(now),
                    compaction.startedAt(), result == null ? null : result.heartbeatsCompacted(),
                    result == null ? null : result.rowsRemoved(), result == null ? null : result.bytesReclaimed(),
                    compaction.failure());
        }
    }
}
