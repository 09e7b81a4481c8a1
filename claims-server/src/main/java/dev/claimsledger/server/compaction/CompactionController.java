package dev.claimsledger.server.compaction;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.compaction.Compactions;
import dev.claimsledger.compaction.Compactions.Compaction;
import dev.claimsledger.compaction.Compactor;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.server.http.OpenApiConfiguration;
import dev.claimsledger.server.http.ProblemCodes;
import dev.claimsledger.server.security.ApiKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
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
@Tag(name = "admin")
class CompactionController {

    private final Compactions compactions;
    private final Clock clock;

    CompactionController(Compactions compactions, Clock clock) {
        this.compactions = compactions;
        this.clock = clock;
    }

    @Operation(operationId = "startCompaction", summary = "Compact old heartbeats",
            description = "Stores each run of an epoch's heartbeats older than the hot window as one compacted row, "
                    + "as the `compact` command does; the history still gives back every heartbeat as it was "
                    + "stored. One compaction at a time; follow the Location for its progress.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.ADMIN))
    @ApiResponse(responseCode = "202", description = "The compaction started", useReturnTypeSchema = true,
            headers = @Header(name = "Location", description = "Where its progress is read",
                    schema = @Schema(type = "string", format = "uri-reference")))
    @ProblemCodes({ClaimErrorCode.CONFLICT, ClaimErrorCode.UNAVAILABLE})
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

    @Operation(operationId = "getCompaction", summary = "Read a compaction's progress",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.ADMIN))
    @ApiResponse(responseCode = "200", description = "The compaction, how far it has come and what it did",
            useReturnTypeSchema = true)
    @ProblemCodes({ClaimErrorCode.NOT_FOUND, ClaimErrorCode.UNAVAILABLE})
    @GetMapping("/{id}")
    CompactionJson progress(@PathVariable String id) {
        return compactions.find(id)
                .map(compaction -> CompactionJson.of(compaction, clock.instant()))
                .orElseThrow(() -> new ClaimRejectedException(ClaimErrorCode.NOT_FOUND, "no compaction " + id));
    }

    /** A compaction's progress, and what it did once done. */
    @Schema(name = "Compaction", description = "A compaction of old heartbeats; progress counts event store positions")
    record CompactionJson(@JsonProperty("id") String id,
                          @Schema(allowableValues = {"running", "done", "failed"}) @JsonProperty("state") String state,
                          @JsonProperty("processed") long processed,
                          @JsonProperty("total") long total,
                          @JsonProperty("events_per_second") double eventsPerSecond,
                          @Schema(nullable = true, description = "Expected time to completion; 0 once ended, null "
                                  + "while the rate is unknown") @JsonProperty("eta_ms") Long etaMs,
                          @JsonProperty("started_at") Instant startedAt,
                          @Schema(nullable = true, description = "Heartbeats stored in compacted rows; null until "
                                  + "done") @JsonProperty("heartbeats_compacted") Long heartbeatsCompacted,
                          @Schema(nullable = true, description = "Event rows removed; null until done")
                          @JsonProperty("rows_removed") Long rowsRemoved,
                          @Schema(nullable = true, description = "Stored bytes reclaimed; null until done")
                          @JsonProperty("bytes_reclaimed") Long bytesReclaimed,
                          @Schema(nullable = true, description = "Heartbeats whose detail retention exported, then "
                                  + "dropped, after the compaction; null until done, and while retention is off")
                          @JsonProperty("heartbeats_detail_dropped") Long heartbeatsDetailDropped,
                          @Schema(nullable = true, description = "Why it failed; null unless it did")
                          @JsonProperty("failure") String failure) {

        static CompactionJson of(Compaction compaction, Instant now) {
            Compactor.Result result = compaction.result();
            return new CompactionJson(compaction.id(), compaction.state().name().toLowerCase(Locale.ROOT),
                    compaction.processed(), compaction.total(),
                    Math.round(compaction.eventsPerSecond(now) * 10) / 10.0, compaction.etaMillis(now),
                    compaction.startedAt(), result == null ? null : result.heartbeatsCompacted(),
                    result == null ? null : result.rowsRemoved(), result == null ? null : result.bytesReclaimed(),
                    compaction.retained() == null ? null : compaction.retained().heartbeatsDropped(),
                    compaction.failure());
        }
    }
}
