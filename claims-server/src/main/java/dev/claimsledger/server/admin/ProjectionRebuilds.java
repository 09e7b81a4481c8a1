package dev.claimsledger.server.admin;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.projection.ConsumerClaimsProjection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Rebuilds the {@code consumer_claims} read model from the event store: stops its processor, resets its tokens (the
 * projection's reset handler empties the table) and lets it replay every event. One rebuild at a time.
 */
@Component
public class ProjectionRebuilds implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ProjectionRebuilds.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final TokenStore tokenStore;
    private final Clock clock;
    private final Map<String, Rebuild> rebuilds = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "projection-rebuild");
        thread.setDaemon(true);
        return thread;
    });
    private Rebuild running;

    public ProjectionRebuilds(EventProcessingConfiguration processing, EventStore eventStore, TokenStore tokenStore,
                              Clock clock) {
        this.processing = processing;
        this.eventStore = eventStore;
        this.tokenStore = tokenStore;
        this.clock = clock;
    }

    /**
     * Starts a rebuild of the consumer-claims projection.
     *
     * @throws ClaimRejectedException {@code conflict} while another rebuild runs
     */
    public synchronized Rebuild start() {
        if (running != null && running.state() == Rebuild.State.RUNNING) {
            throw new ClaimRejectedException(ClaimErrorCode.CONFLICT, "rebuild " + running.id() + " is still running");
        }
        long target = position(eventStore.createHeadToken());
        Rebuild rebuild = new Rebuild(UUID.randomUUID().toString(), clock.instant(), target);
        rebuilds.put(rebuild.id(), rebuild);
        running = rebuild;
        worker.submit(() -> run(rebuild));
        return rebuild;
    }

    public Optional<Rebuild> find(String id) {
        return Optional.ofNullable(rebuilds.get(id));
    }

    private void run(Rebuild rebuild) {
        try {
            StreamingEventProcessor processor = processing
                    .eventProcessor(ConsumerClaimsProjection.PROCESSING_GROUP, StreamingEventProcessor.class)
                    .orElseThrow(() -> new IllegalStateException("no streaming processor for the projection"));
            processor.shutdownAsync().get(30, TimeUnit.SECONDS);
            processor.resetTokens();
            processor.start();
            log.info("rebuilding {} up to position {}", ConsumerClaimsProjection.PROCESSING_GROUP, rebuild.total());
            while (!caughtUp(processor, rebuild)) {
                Thread.sleep(POLL.toMillis());
            }
            rebuild.finish(clock.instant());
            log.info("rebuilt {}: {} positions in {} ms", ConsumerClaimsProjection.PROCESSING_GROUP, rebuild.total(),
                    Duration.between(rebuild.startedAt(), clock.instant()).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rebuild.fail("interrupted");
        } catch (Exception e) {
            log.error("rebuild {} failed", rebuild.id(), e);
            rebuild.fail(e.getMessage());
        }
    }

    private boolean caughtUp(StreamingEventProcessor processor, Rebuild rebuild) {
        Map<Integer, EventTrackerStatus> status = processor.processingStatus();
        if (status.isEmpty()) {
            rebuild.progress(0);
            return false;
        }
        long slowest = status.values().stream()
                .mapToLong(segment -> position(segment.getTrackingToken()))
                .min()
                .orElse(0);
        rebuild.progress(Math.min(slowest, rebuild.total()));
        // not isReplaying(): Axon leaves a replay only when an event after the reset point arrives
        boolean everySegmentClaimed = status.size() >= tokenStore.fetchSegments(processor.getName()).length;
        return everySegmentClaimed && slowest >= rebuild.total();
    }

    private static long position(TrackingToken token) {
        return token == null ? 0 : token.position().orElse(0);
    }

    @Override
    public void destroy() {
        worker.shutdownNow();
    }
}
