package dev.claimsledger.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.api.ClaimError;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.api.ReleaseClaim;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.config.AggregateConfigurer;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.EventSourcingRepository;
import org.axonframework.eventsourcing.NoSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.modelling.command.Repository;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.test.deadline.StubDeadlineManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Claim repository's cache on two nodes that share one event store, as two ledger nodes share PostgreSQL. The
 * in-memory store does not enforce the (stream, sequence) key, so a cache that served stale state would show here as
 * a duplicated sequence number or a wrongly accepted command instead of a failed append.
 */
class CheckedCachingRepositoryTest {

    private static final Instant T0 = Instant.parse("2025-06-01T08:00:00Z");
    private static final String TENANT = "acme";

    private final EventStorageEngine sharedStore = new InMemoryEventStorageEngine();
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final Node nodeA = new Node(100);
    private final Node nodeB = new Node(100);

    @AfterEach
    void tearDown() {
        nodeA.config.shutdown();
        nodeB.config.shutdown();
    }

    @Test
    void aStreamAppendedToByAnotherNodeIsLoadedAgainInsteadOfServedStale() {
        nodeA.send(claim("c-1"));
        later(Duration.ofSeconds(5));
        nodeB.send(new RecordHeartbeat(TENANT, "c-1", 1, null));
        later(Duration.ofSeconds(5));

        nodeA.send(new RecordHeartbeat(TENANT, "c-1", 1, null));

        assertThat(sequenceNumbers("c-1")).containsExactly(0L, 1L, 2L);
        HeartbeatReceived last = (HeartbeatReceived) events("c-1").get(2).getPayload();
        assertThat(last.receivedAt()).isEqualTo(T0.plusSeconds(10));
    }

    @Test
    void aCommandRejectedOnTheStoredStateIsRejectedEvenWhenTheCacheHeldAnOlderOne() {
        nodeA.send(claim("c-1"));
        nodeB.send(new ReleaseClaim(TENANT, "c-1", 1, List.of()));

        assertThatThrownBy(() -> nodeA.send(new RecordHeartbeat(TENANT, "c-1", 1, null)))
                .isInstanceOfSatisfying(CommandExecutionException.class, rejected ->
                        assertThat(rejected.getDetails()).get().extracting(detail -> ((ClaimError) detail).code())
                                .isEqualTo(ClaimErrorCode.CLAIM_NOT_ACTIVE));
        assertThat(sequenceNumbers("c-1")).containsExactly(0L, 1L);
    }

    @Test
    void aStreamIsCachedOnlyAfterItsUnitOfWorkCommitted() {
        nodeA.send(claim("c-1"));
        assertThat(nodeA.repository().cachedAggregates()).isEqualTo(1);

        assertThatThrownBy(() -> nodeA.send(new RecordHeartbeat(TENANT, "c-1", 7, null)))
                .isInstanceOf(CommandExecutionException.class);
        assertThat(nodeA.repository().cachedAggregates()).as("after a rejected command").isZero();

        nodeA.send(new RecordHeartbeat(TENANT, "c-1", 1, null));
        assertThat(nodeA.repository().cachedAggregates()).isEqualTo(1);
        assertThat(sequenceNumbers("c-1")).containsExactly(0L, 1L);
    }

    @Test
    void theCacheKeepsTheMostRecentlyUsedStreamsUpToItsCapacity() {
        Node small = new Node(2);
        try {
            small.send(claim("c-1"));
            small.send(claim("c-2"));
            small.send(new RecordHeartbeat(TENANT, "c-1", 1, null));
            small.send(claim("c-3"));

            assertThat(small.repository().cachedAggregates()).isEqualTo(2);
            small.send(new RecordHeartbeat(TENANT, "c-2", 1, null));
            assertThat(sequenceNumbers("c-2")).containsExactly(0L, 1L);
        } finally {
            small.config.shutdown();
        }
    }

    @Test
    void aCapacityOfZeroGivesAPlainRepositoryAndANegativeOneIsRefused() {
        Configuration config = nodeA.config;
        Repository<?> plain = ClaimRepository.create(config.eventStore(), config.parameterResolverFactory(),
                config.handlerDefinition(Claim.class), NoSnapshotTriggerDefinition.INSTANCE, 0);

        assertThat(plain).isExactlyInstanceOf(EventSourcingRepository.class);
        assertThatThrownBy(() -> ClaimRepository.create(config.eventStore(), config.parameterResolverFactory(),
                config.handlerDefinition(Claim.class), NoSnapshotTriggerDefinition.INSTANCE, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private MaterializeClaim claim(String consumer) {
        return new MaterializeClaim(TENANT, consumer, 1, "https://x.example/" + consumer, "/s/" + consumer, null,
                "runner-1", 30_000L, LeasePolicy.RENEW_ON_HEARTBEAT);
    }

    private void later(Duration step) {
        now.updateAndGet(instant -> instant.plus(step));
    }

    private List<? extends DomainEventMessage<?>> events(String consumer) {
        return sharedStore.readEvents(ConsumerRef.streamId(TENANT, consumer)).asStream().toList();
    }

    private List<Long> sequenceNumbers(String consumer) {
        return events(consumer).stream().map(DomainEventMessage::getSequenceNumber).toList();
    }

    /** One ledger node: its own Axon configuration and repository cache, over the shared store. */
    private final class Node {

        private final Configuration config;

        Node(int cacheCapacity) {
            Clock clock = new FixtureClock(now::get);
            config = DefaultConfigurer.defaultConfiguration()
                    .configureAggregate(AggregateConfigurer.defaultConfiguration(Claim.class)
                            .configureRepository(c -> ClaimRepository.of(c.eventStore(),
                                    c.parameterResolverFactory(), c.handlerDefinition(Claim.class),
                                    NoSnapshotTriggerDefinition.INSTANCE, cacheCapacity)))
                    .configureSerializer(c -> JacksonSerializer.builder().objectMapper(LedgerObjectMapper.create())
                            .build())
                    .configureEmbeddedEventStore(c -> sharedStore)
                    .registerComponent(Clock.class, c -> clock)
                    .registerComponent(EventChain.class, c -> new EventChain(c.serializer()))
                    .configureDeadlineManager(c -> new StubDeadlineManager(T0.atZone(ZoneOffset.UTC)))
                    .buildConfiguration();
            config.commandBus().registerHandlerInterceptor(new ClaimCommandInterceptor(LeaseLimits.DEFAULT));
            config.start();
        }

        void send(Object command) {
            config.commandGateway().sendAndWait(command);
        }

        CheckedCachingRepository<?> repository() {
            return (CheckedCachingRepository<?>) config.repository(Claim.class);
        }
    }
}
