package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.axonframework.common.IdentifierFactory;
import org.axonframework.messaging.GenericMessage;
import org.junit.jupiter.api.Test;

class CountingIdentifierFactoryTest {

    @Test
    void axonFindsTheFactoryForEveryMessage() {
        assertThat(IdentifierFactory.getInstance()).isInstanceOf(CountingIdentifierFactory.class);
        String identifier = new GenericMessage<>("payload").getIdentifier();
        assertThat(UUID.fromString(identifier).version()).isEqualTo(8);
    }

    @Test
    void identifiersFromManyThreadsAreDistinctUuidsOfVersion8AndTheIetfVariant() throws Exception {
        CountingIdentifierFactory factory = new CountingIdentifierFactory();
        Set<String> identifiers = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            Callable<Void> generate = () -> {
                for (int i = 0; i < 50_000; i++) {
                    identifiers.add(factory.generateIdentifier());
                }
                return null;
            };
            for (Future<Void> future : threads.invokeAll(List.of(generate, generate, generate, generate))) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(identifiers).hasSize(200_000);
        for (String identifier : identifiers) {
            UUID uuid = UUID.fromString(identifier);
            assertThat(uuid.toString()).isEqualTo(identifier);
            assertThat(uuid.version()).isEqualTo(8);
            assertThat(uuid.variant()).isEqualTo(2);
        }
    }

    @Test
    void twoProcessesDrawDifferentFirstHalves() {
        UUID first = UUID.fromString(new CountingIdentifierFactory().generateIdentifier());
        UUID second = UUID.fromString(new CountingIdentifierFactory().generateIdentifier());

        assertThat(first.getMostSignificantBits()).isNotEqualTo(second.getMostSignificantBits());
        assertThat(first.getLeastSignificantBits()).isEqualTo(second.getLeastSignificantBits());
    }
}
