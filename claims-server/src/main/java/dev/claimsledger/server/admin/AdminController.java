package dev.claimsledger.server.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimErrorCode;
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
 * Rebuilding the {@code consumer_claims} read model from the events.
 */
@RestController
@RequestMapping(path = "/v1/admin/projections/consumer-claims", produces = MediaType.APPLICATION_JSON_VALUE)
class AdminController {

    private final ProjectionRebuilds rebuilds;
    private final Clock clock;

    AdminController(ProjectionRebuilds rebuilds, Clock clock) {
        this.rebuilds = rebuilds;
        this.clock = clock;
    }

    @PostMapping("/rebuild")
    ResponseEntity<RebuildJson> rebuild() {
        Rebuild rebuild = rebuilds.start();
        return ResponseEntity.accepted()
                .location(URI.create("/v1/admin/projections/consumer-claims/rebuilds/" + rebuild.id()))
                .body(RebuildJson.of(rebuild, clock.instant()));
    }

    @GetMapping("/rebuilds/{id}")
    RebuildJson progress(@PathVariable String id) {
        return rebuilds.find(id)
                .map(rebuild -> RebuildJson.of(rebuild, clock.instant()))
                .orElseThrow(() -> new ClaimRejectedException(ClaimErrorCode.NOT_FOUND, "no rebuild " + id));
    }

    record RebuildJson(@JsonProperty("id") String id,
                       @JsonProperty("state") String state,
                       @JsonProperty("processed") long processed,
                       @JsonProperty("total") long total,
                       @JsonProperty("events_per_second") double eventsPerSecond,
                       @JsonProperty("eta_ms") Long etaMs,
                       @JsonProperty("started_at") Instant startedAt,
                       @JsonProperty("failure") String failure) {

        static RebuildJson of(Rebuild rebuild, Instant now) {
            return new RebuildJson(rebuild.id(), rebuild.state().name().toLowerCase(Locale.ROOT), rebuild.processed(),
                    rebuild.total(), Math.round(rebuild.eventsPerSecond(now) * 10) / 10.0, rebuild.etaMillis(now),
                    rebuild.startedAt(), rebuild.failure());
        }
    }
}
