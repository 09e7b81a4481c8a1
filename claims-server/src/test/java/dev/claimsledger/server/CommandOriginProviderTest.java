package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.Configuration;
import org.axonframework.deadline.GenericDeadlineMessage;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** Events keep naming the command or deadline they were decided on; events being handled give no correlation data. */
class CommandOriginProviderTest {

    private final CommandOriginProvider provider = new CommandOriginProvider();

    @Test
    void commandsAndDeadlinesGiveTheirOriginAsAxonsProviderDoes() {
        GenericCommandMessage<String> command = new GenericCommandMessage<>("claim");
        GenericDeadlineMessage<String> deadline = new GenericDeadlineMessage<>("lease", "due");
        GenericEventMessage<String> traced = new GenericEventMessage<>("claimed", MetaData.with("traceId", "t-1"));

        assertThat(provider.correlationDataFor(command)).isEqualTo(Map.of("correlationId", command.getIdentifier(),
                "traceId", command.getIdentifier()));
        assertThat(provider.correlationDataFor(deadline)).isEqualTo(Map.of("correlationId", deadline.getIdentifier(),
                "traceId", deadline.getIdentifier()));
        assertThat(provider.correlationDataFor(traced)).isEmpty();
    }

    @Test
    void theLedgersEventsNameTheCommandTheyWereDecidedOnAndItIsTheOnlyProvider(@TempDir Path dataDir) {
        try (ConfigurableApplicationContext ledger = Ledger.start(TestDatabase.freshH2(dataDir))) {
            ledger.getBean(CommandGateway.class).sendAndWait(new MaterializeClaim("acme", "worker-1", 1,
                    "https://example.test/entity/1", "/streams/1", "wake-1", "runner-a", 60_000L,
                    LeasePolicy.RENEW_ON_HEARTBEAT));

            DomainEventMessage<?> claimed = Ledger.events(ledger, ConsumerRef.streamId("acme", "worker-1")).get(0);
            assertThat(claimed.getMetaData()).containsKeys("correlationId", "traceId");
            assertThat(claimed.getMetaData().get("traceId")).isEqualTo(claimed.getMetaData().get("correlationId"));
            assertThat(ledger.getBean(Configuration.class).correlationDataProviders())
                    .singleElement().isInstanceOf(CommandOriginProvider.class);
        }
    }
}
