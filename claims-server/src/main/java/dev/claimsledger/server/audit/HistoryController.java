package dev.claimsledger.server.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.core.ClaimCommandValidation;
import dev.claimsledger.core.ClaimRejectedException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What happened to a consumer's claims, event by event, read from the event store.
 */
@RestController
@RequestMapping(path = "/v1/tenants/{tenant}/claims/{consumer}", produces = MediaType.APPLICATION_JSON_VALUE)
class HistoryController {

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 1000;

    private final ClaimHistory history;

    HistoryController(ClaimHistory history) {
        this.history = history;
    }

    @GetMapping("/history")
    HistoryJson consumerHistory(@PathVariable String tenant, @PathVariable String consumer,
                                @RequestParam(name = "after_sequence", required = false) Long afterSequence,
                                @RequestParam(required = false) Integer limit) {
        ClaimCommandValidation.identity(tenant, consumer, 0);
        return page(new ConsumerRef(tenant, consumer), null, afterSequence, limit);
    }

    @GetMapping("/epochs/{epoch}/history")
    HistoryJson epochHistory(@PathVariable String tenant, @PathVariable String consumer, @PathVariable long epoch,
                             @RequestParam(name = "after_sequence", required = false) Long afterSequence,
                             @RequestParam(required = false) Integer limit) {
        ClaimCommandValidation.identity(tenant, consumer, epoch);
        return page(new ConsumerRef(tenant, consumer), epoch, afterSequence, limit);
    }

    private HistoryJson page(ConsumerRef consumer, Long epoch, Long afterSequence, Integer limit) {
        int pageSize = limit == null ? DEFAULT_PAGE_SIZE : limit;
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new ClaimRejectedException(ClaimErrorCode.VALIDATION_FAILED,
                    "limit must be between 1 and " + MAX_PAGE_SIZE + ", was " + pageSize);
        }
        if (afterSequence != null && afterSequence < -1) {
            throw new ClaimRejectedException(ClaimErrorCode.VALIDATION_FAILED, "after_sequence must be -1 or more");
        }
        ClaimHistory.Page page = history.page(consumer, epoch, afterSequence == null ? -1 : afterSequence, pageSize);
        if (page.events().isEmpty() && afterSequence == null) {
            throw new ClaimRejectedException(ClaimErrorCode.CLAIM_NOT_FOUND, epoch == null
                    ? "no events for consumer " + consumer.consumerId()
                    : "no events for epoch " + epoch + " of consumer " + consumer.consumerId());
        }
        return new HistoryJson(page.events().stream().map(EventJson::of).toList(), page.nextAfterSequence());
    }

    record HistoryJson(@JsonProperty("events") List<EventJson> events,
                       @JsonProperty("next_after_sequence") Long nextAfterSequence) {
    }

    record EventJson(@JsonProperty("type") String type,
                     @JsonProperty("sequence") long sequence,
                     @JsonProperty("position") long position,
                     @JsonProperty("timestamp") Instant timestamp,
                     @JsonProperty("payload") Map<String, Object> payload) {

        static EventJson of(ClaimHistory.Entry entry) {
            return new EventJson(entry.type(), entry.sequence(), entry.position(), entry.timestamp(), entry.payload());
        }
    }
}
