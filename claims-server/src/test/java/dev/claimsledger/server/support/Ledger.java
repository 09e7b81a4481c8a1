package dev.claimsledger.server.support;

import dev.claimsledger.server.ClaimsLedgerApplication;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the whole ledger application, as production does, on a test database.
 */
public final class Ledger {

    private Ledger() {
    }

    public static ConfigurableApplicationContext start(TestDatabase database, Map<String, Object> extraProperties) {
        return start(database, extraProperties, WebApplicationType.NONE);
    }

    /** The ledger with its HTTP server on a free port of 127.0.0.1; see {@link #baseUrl}. */
    public static ConfigurableApplicationContext startWithHttp(TestDatabase database,
                                                               Map<String, Object> extraProperties) {
        Map<String, Object> properties = new HashMap<>(extraProperties);
        properties.putIfAbsent("server.port", 0);
        return start(database, properties, WebApplicationType.SERVLET);
    }

    /** Where the HTTP API of a ledger started by {@link #startWithHttp} listens, e.g. {@code http://127.0.0.1:41234}. */
    public static String baseUrl(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    private static ConfigurableApplicationContext start(TestDatabase database, Map<String, Object> extraProperties,
                                                        WebApplicationType webApplicationType) {
        Map<String, Object> properties = new HashMap<>(database.properties());
        properties.put("spring.main.banner-mode", "off");
        properties.put("claims.deadlines.polling-interval", "200ms");
        properties.putAll(extraProperties);
        // as command-line arguments: they must win over application.yml, as an operator's would
        String[] arguments = properties.entrySet().stream()
                .map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(ClaimsLedgerApplication.class)
                .web(webApplicationType)
                .run(arguments);
    }

    public static ConfigurableApplicationContext start(TestDatabase database) {
        return start(database, Map.of());
    }

    /** Every event of one consumer's stream from its first, straight from the event store (no snapshot). */
    public static List<DomainEventMessage<?>> events(ConfigurableApplicationContext context, String streamId) {
        return context.getBean(EventStore.class).readEvents(streamId, 0).asStream()
                .<DomainEventMessage<?>>map(message -> message).toList();
    }

    /** The payloads of {@link #events}. */
    public static List<Object> payloads(ConfigurableApplicationContext context, String streamId) {
        return events(context, streamId).stream().<Object>map(DomainEventMessage::getPayload).toList();
    }
}
