package dev.claimsledger.server.changes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One open {@code text/event-stream} response, parsed as the HTML standard's event-stream format on a thread of its
 * own: each event (and each comment line) is queued as it arrives, so a test can wait for the next one.
 */
final class EventStreamClient implements AutoCloseable {

    /** One dispatched event; a comment line is an event of type {@code :comment} with the comment as data. */
    record Event(String id, String type, String data) {

        JsonNode json() {
            try {
                return LedgerHttp.JSON.readTree(data);
            } catch (IOException e) {
                throw new AssertionError("event data is not JSON: " + data, e);
            }
        }
    }

    private static final Event END = new Event(null, ":end", null);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** The first event as sent, every line of it, for checking the answer against the document. */
    private final CompletableFuture<String> firstEventAsSent = new CompletableFuture<>();
    private boolean ended;

    private EventStreamClient(HttpResponse<InputStream> response) {
        this.response = response;
        if (response.statusCode() == 200) {
            Thread reader = new Thread(this::read, "event-stream-client");
            reader.setDaemon(true);
            reader.start();
        }
    }

    /** Opens {@code path} of the ledger with the key (none when null) and, unless null, a {@code Last-Event-ID}. */
    static EventStreamClient open(String baseUrl, String path, String key, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Accept", "text/event-stream")
                .GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            return new EventStreamClient(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new AssertionError("cannot open " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    int status() {
        return response.statusCode();
    }

    String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The request this client sent. */
    HttpRequest request() {
        return response.request();
    }

    /** The answer's status and headers, with {@code body} as what it held, to check against the document. */
    Reply reply(String body) {
        return new Reply(response.statusCode(), response.headers(), body);
    }

    /** The answer of an open stream, its body the stream's first event as sent. */
    Reply replyWithFirstEvent(Duration timeout) {
        try {
            return reply(firstEventAsSent.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("no first event within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The body of an answer that is not a stream (a problem). */
    String body() {
        try (InputStream body = response.body()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The next event or comment, failing if none comes in time or the stream ends. */
    Event next(Duration timeout) {
        Event event = poll(timeout);
        assertThat(event).as("an event within %s", timeout).isNotNull();
        assertThat(event).as("the stream ended instead of sending an event").isNotSameAs(END);
        return event;
    }

    /** The next event that is not a comment. */
    Event nextEvent(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event event = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (!event.type().equals(":comment")) {
                return event;
            }
        }
    }

    /** The events (not comments) that arrive within {@code quiet}, until none comes for that long. */
    List<Event> drain(Duration quiet) {
        List<Event> drained = new ArrayList<>();
        Event event;
        while ((event = poll(quiet)) != null && event != END) {
            if (!event.type().equals(":comment")) {
                drained.add(event);
            }
        }
        return drained;
    }

    /** Whether the server ends the stream within {@code timeout}; events before the end are skipped. */
    boolean endsWithin(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Event event;
        do {
            event = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } while (event != null && event != END);
        return event == END;
    }

    private Event poll(Duration timeout) {
        if (ended) {
            return END;
        }
        try {
            Event event = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            ended = event == END;
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            String id = null;
            String type = "message";
            StringBuilder data = null;
            StringBuilder asSent = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (!firstEventAsSent.isDone()) {
                    asSent.append(line).append('\n');
                }
                if (line.isEmpty()) {
                    if (data != null) {
                        firstEventAsSent.complete(asSent.toString());
                        events.add(new Event(id, type, data.toString()));
                    }
                    id = null;
                    type = "message";
                    data = null;
                } else if (line.startsWith(":")) {
                    events.add(new Event(null, ":comment", line.substring(1).trim()));
                } else {
                    int colon = line.indexOf(':');
                    String name = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1);
                    value = value.startsWith(" ") ? value.substring(1) : value;
                    switch (name) {
                        case "id" -> id = value;
                        case "event" -> type = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        default -> {
                        }
                    }
                }
            }
        } catch (IOException e) {
            // closed by the test, or the server went away: either way the stream has ended
        } finally {
            events.add(END);
        }
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // already closed
        }
    }
}
