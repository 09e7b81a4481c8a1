package dev.claimsledger.server.changes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.server.ClaimsProperties;
import dev.claimsledger.server.audit.EventLog;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The open streams of claim changes. Each stream polls the event store on a small shared pool of threads (no thread
 * waits on a client), sends the tenant's state changes in position order with the position as the event id, a comment
 * line when it has been quiet for {@code claims.changes.keep-alive}, and ends after {@code claims.changes.max-duration}
 * so that the client reconnects, resumes from its {@code Last-Event-ID} and shows its key again. At most
 * {@code claims.changes.max-streams} are open at once. Every stream is closed before the web server's graceful
 * shutdown, which would otherwise wait for them.
 */
@Component
public class ClaimChangeStreams implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClaimChangeStreams.class);
    private static final int READ_BATCH = 1000;
    /** Positions one poll of one stream reads at most, so that a stream far behind does not hold a thread long. */
    private static final int READ_PER_POLL = 10 * READ_BATCH;
    private static final int POLLING_THREADS = 2;

    private final ClaimChangeLog changeLog;
    private final ClaimsProperties.Changes settings;
    private final Clock clock;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService pollers;
    private volatile boolean running;

    public ClaimChangeStreams(JdbcClient jdbc, EventLog eventLog, ClaimsProperties properties, Clock clock) {
        this.changeLog = new ClaimChangeLog(jdbc, eventLog);
        this.settings = properties.changes();
        this.clock = clock;
        AtomicInteger threads = new AtomicInteger();
        this.pollers = Executors.newScheduledThreadPool(POLLING_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "claim-changes-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Opens a stream of the tenant's changes after {@code after} (the last position the client saw), or after the
     * store's head when null. The first event, {@code ready}, carries the position the stream starts after.
     *
     * @throws ClaimRejectedException {@code unavailable} when {@code claims.changes.max-streams} are open already
     */
    public SseEmitter open(String tenant, Long after) {
        if (!running) {
            throw new ClaimRejectedException(ClaimErrorCode.UNAVAILABLE, "the ledger is shutting down");
        }
        long start = after != null ? after : changeLog.head();
        if (open.incrementAndGet() > settings.maxStreams()) {
            open.decrementAndGet();
            throw new ClaimRejectedException(ClaimErrorCode.UNAVAILABLE, "this node serves at most "
                    + settings.maxStreams() + " change streams at once; retry later");
        }
        Stream stream = new Stream(tenant, start, clock.instant());
        streams.add(stream);
        try {
            stream.start();
        } catch (RejectedExecutionException e) {
            stream.end();
        }
        return stream.emitter;
    }

    /** How many streams are open on this node. */
    public int openStreams() {
        return open.get();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        for (Stream stream : List.copyOf(streams)) {
            stream.end();
        }
        pollers.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** One client's stream: its cursor, its emitter and its polling task. */
    private final class Stream {

        private final String tenant;
        private final ChangeCursor cursor;
        private final Instant openedAt;
        private final SseEmitter emitter;
        private final Object lock = new Object();
        private ScheduledFuture<?> polling;
        private Instant lastSentAt;
        private boolean closed;

        Stream(String tenant, long after, Instant openedAt) {
            this.tenant = tenant;
            this.cursor = new ChangeCursor(after);
            this.openedAt = openedAt;
            this.lastSentAt = openedAt;
            // the stream ends itself after max-duration; the container's timeout is only a backstop
            this.emitter = new SseEmitter(settings.maxDuration().plusSeconds(30).toMillis());
            emitter.onCompletion(this::close);
            emitter.onTimeout(this::end);
            emitter.onError(failure -> close());
        }

        void start() {
            send(SseEmitter.event().id(Long.toString(cursor.position())).name("ready")
                    .data(new ReadyJson(cursor.position()), MediaType.APPLICATION_JSON));
            synchronized (lock) {
                if (!closed) {
                    polling = pollers.scheduleWithFixedDelay(this::poll, settings.pollInterval().toMillis(),
                            settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }

        private void poll() {
            try {
                Instant now = clock.instant();
                if (Duration.between(openedAt, now).compareTo(settings.maxDuration()) >= 0) {
                    end();
                    return;
                }
                int read = 0;
                List<ClaimChangeLog.Position> batch;
                do {
                    batch = changeLog.read(tenant, cursor.position(), READ_BATCH);
                    read += batch.size();
                    long before = cursor.position();
                    for (ClaimChangeJson change : cursor.advance(batch, now)) {
                        send(SseEmitter.event().id(Long.toString(change.position())).name(change.type())
                                .data(change, MediaType.APPLICATION_JSON));
                    }
                    if (cursor.position() == before) {
                        break;
                    }
                } while (batch.size() == READ_BATCH && read < READ_PER_POLL && !isClosed());
                if (Duration.between(lastSentAt, now).compareTo(settings.keepAlive()) >= 0) {
                    send(SseEmitter.event().comment("keep-alive"));
                }
            } catch (RuntimeException e) {
                log.warn("change stream of tenant {} stopped: {}", tenant, e.getMessage());
                emitter.completeWithError(e);
                close();
            }
        }

        private void send(SseEmitter.SseEventBuilder event) {
            if (isClosed()) {
                return;
            }
            try {
                emitter.send(event);
                lastSentAt = clock.instant();
            } catch (IOException | IllegalStateException e) {
                // the client has gone; the container completes the request
                close();
            }
        }

        private boolean isClosed() {
            synchronized (lock) {
                return closed;
            }
        }

        /** Ends the response; the client may reconnect. */
        void end() {
            close();
            emitter.complete();
        }

        /** Stops polling and frees the stream's place. */
        private void close() {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                if (polling != null) {
                    polling.cancel(false);
                }
            }
            streams.remove(this);
            open.decrementAndGet();
        }
    }

    /** The data of the first event: the position the stream starts after. */
    record ReadyJson(@JsonProperty("position") long position) {
    }
}
