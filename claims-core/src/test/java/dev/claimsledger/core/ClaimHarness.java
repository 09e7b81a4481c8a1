package dev.claimsledger.core;

import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurationScopeAwareProvider;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.ScopeAware;
import org.axonframework.messaging.ScopeAwareProvider;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.test.deadline.StubDeadlineManager;

/**
 * The real {@link Claim} aggregate on real Axon infrastructure, with time under the test's control.
 *
 * <p>Wired like production minus Spring: Axon's {@link DefaultConfigurer} with the aggregate, an in-memory event
 * store, the {@link ClaimCommandInterceptor} on the command bus, and a {@link Clock} and a {@link DeadlineManager}
 * registered as components, so that Axon's {@code ConfigurationParameterResolverFactory} injects them into the
 * handlers' parameters. The deadline manager is axon-test's {@link StubDeadlineManager}: {@link #advance(Duration)}
 * delivers every deadline that falls due, in time order, to the aggregate's scope, with the clock standing at the
 * deadline's time while it is handled, the way {@code AggregateTestFixture#whenTimeElapses} does.
 */
final class ClaimHarness implements AutoCloseable {

    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    private final SteppingClock clock = new SteppingClock(START);
    private final StubDeadlineManager deadlines = new StubDeadlineManager(START);
    private final Configuration config;
    private final ScopeAwareProvider scopes;

    ClaimHarness() {
        config = DefaultConfigurer.defaultConfiguration()
                .configureAggregate(Claim.class)
                .configureSerializer(c -> JacksonSerializer.builder().objectMapper(LedgerObjectMapper.create()).build())
                .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                .registerComponent(Clock.class, c -> clock)
                .registerComponent(EventChain.class, c -> new EventChain(c.serializer()))
                .configureDeadlineManager(c -> deadlines)
                .buildConfiguration();
        config.commandBus().registerHandlerInterceptor(new ClaimCommandInterceptor(LeaseLimits.DEFAULT));
        config.start();
        scopes = new ConfigurationScopeAwareProvider(config);
    }

    /** The ledger's current time. */
    Instant now() {
        return clock.instant();
    }

    /** Sends {@code command} and waits for its outcome; never throws for a failed command. */
    Outcome send(Object command) {
        try {
            return new Outcome(config.commandGateway().sendAndWait(command), null);
        } catch (RuntimeException e) {
            return new Outcome(null, e);
        }
    }

    /**
     * Moves time forward by {@code step}, delivering every deadline that falls due on the way, each at its own time.
     */
    void advance(Duration step) {
        Instant target = clock.instant().plus(step);
        deadlines.advanceTimeTo(target, (scope, deadline) -> {
            clock.moveTo(deadlines.getCurrentDateTime());
            List<ScopeAware> resolving = scopes.provideScopeAwareStream(scope)
                    .filter(component -> component.canResolve(scope))
                    .toList();
            if (resolving.isEmpty()) {
                throw new IllegalStateException("no component resolves the scope " + scope + " of " + deadline);
            }
            for (ScopeAware component : resolving) {
                component.send(deadline, scope);
            }
        });
        clock.moveTo(target);
    }

    /** The payloads of every event stored for the aggregate {@code streamId}, in order. */
    List<Object> events(String streamId) {
        return config.eventStore().readEvents(streamId).asStream().<Object>map(Message::getPayload).toList();
    }

    /**
     * The sequence number of the first event of {@code streamId} whose chain hash is not the one recomputed from the
     * stored form of the events before it, or -1 when the whole chain holds.
     */
    long firstChainBreak(String streamId) {
        Serializer serializer = config.serializer();
        String previous = null;
        for (DomainEventMessage<?> event : config.eventStore().readEvents(streamId).asStream().toList()) {
            byte[] stored = serializer.serialize(event.getPayload(), byte[].class).getData();
            String expected = EventChain.hash(streamId, event.getSequenceNumber(), event.getPayloadType().getName(),
                    stored, previous);
            Object recorded = event.getMetaData().get(EventChain.HASH_KEY);
            if (!expected.equals(recorded)) {
                return event.getSequenceNumber();
            }
            previous = expected;
        }
        return -1;
    }

    @Override
    public void close() {
        config.shutdown();
    }

    /**
     * What a command came back with: the result, or the exception it failed with.
     */
    record Outcome(ClaimCommandResult result, RuntimeException failure) {

        boolean accepted() {
            return failure == null;
        }

        /** The {@link ClaimError} a rejection carries as its details, or null if it carries none. */
        ClaimError error() {
            if (failure instanceof CommandExecutionException rejection) {
                return rejection.getDetails().filter(ClaimError.class::isInstance).map(ClaimError.class::cast)
                        .orElse(null);
            }
            return null;
        }
    }

    /** A clock that stands still until the harness moves it, and never moves backwards. */
    static final class SteppingClock extends Clock {

        private Instant now;

        SteppingClock(Instant start) {
            this.now = start;
        }

        void moveTo(Instant instant) {
            if (instant.isBefore(now)) {
                throw new IllegalStateException("the clock must never run backwards: from " + now + " to " + instant);
            }
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the ledger works in instants only");
        }
    }
}
