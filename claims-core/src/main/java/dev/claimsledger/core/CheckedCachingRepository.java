package dev.claimsledger.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.axonframework.eventsourcing.EventSourcedAggregate;
import org.axonframework.eventsourcing.EventSourcingRepository;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;

/**
 * An event-sourcing repository that keeps recently used aggregates in memory and uses one only while it is current:
 * before a cached aggregate is handed out, the store's last sequence number for its stream is read (one indexed
 * query) and must equal the cached version. Another node that appended to the stream meanwhile makes the versions
 * differ, and the aggregate is loaded from the store as without a cache. Every decision is therefore taken on state
 * that was the stored state when the command was handled, on one node or many; an append that races with another
 * node still fails on the stream's unique (stream, sequence) key, as without a cache.
 *
 * <p>An aggregate leaves the cache while a unit of work uses it and goes back only after that unit of work has
 * committed, so a rejected or rolled-back command never leaves changed state behind. Axon's own caching repository
 * trusts its cache, which is only safe when every command for a stream reaches the same node.
 *
 * @param <T> the aggregate type
 */
final class CheckedCachingRepository<T> extends EventSourcingRepository<T> {

    private final EventStore eventStore;
    private final Map<String, EventSourcedAggregate<T>> cache;

    CheckedCachingRepository(Builder<T> builder, EventStore eventStore, int capacity) {
        super(builder);
        if (capacity < 1) {
            throw new IllegalArgumentException("the aggregate cache holds at least one aggregate, was " + capacity);
        }
        this.eventStore = eventStore;
        this.cache = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EventSourcedAggregate<T>> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    protected EventSourcedAggregate<T> doLoadWithLock(String aggregateIdentifier, Long expectedVersion) {
        EventSourcedAggregate<T> cached;
        synchronized (cache) {
            cached = cache.remove(aggregateIdentifier);
        }
        if (cached != null && isCurrent(cached, eventStore.lastSequenceNumberFor(aggregateIdentifier))) {
            return cached;
        }
        return super.doLoadWithLock(aggregateIdentifier, expectedVersion);
    }

    @Override
    protected void doSaveWithLock(EventSourcedAggregate<T> aggregate) {
        super.doSaveWithLock(aggregate);
        CurrentUnitOfWork.get().afterCommit(unitOfWork -> {
            synchronized (cache) {
                cache.put(aggregate.identifierAsString(), aggregate);
            }
        });
    }

    /** How many aggregates the cache holds now. */
    int cachedAggregates() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private static boolean isCurrent(EventSourcedAggregate<?> cached, Optional<Long> storedVersion) {
        return !cached.isDeleted() && storedVersion.isPresent() && Objects.equals(cached.version(), storedVersion.get());
    }
}
