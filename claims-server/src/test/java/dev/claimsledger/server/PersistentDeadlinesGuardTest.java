package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.core.LeaseDeadlines;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.axonframework.config.Configuration;
import org.axonframework.deadline.SimpleDeadlineManager;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.updates.configuration.UsagePropertyProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

class PersistentDeadlinesGuardTest {

    @TempDir
    Path dataDir;

    @Test
    void aDeadlineManagerThatKeepsDeadlinesInMemoryIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> PersistentDeadlinesGuard.requirePersistent(SimpleDeadlineManager.builder()
                .scopeAwareProvider(scope -> Stream.empty()).build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SimpleDeadlineManager")
                .hasMessageContaining("would never expire");
    }

    @Test
    void theDefaultSettingsKeepDeadlinesAndTokensInTheDatabaseAndNeverPhoneHome() {
        try (ConfigurableApplicationContext context = Ledger.start(TestDatabase.freshH2(dataDir))) {
            assertThat(context.getBean(Configuration.class).deadlineManager())
                    .isInstanceOf(LeaseDeadlines.class);
            assertThat(context.getBean(TokenStore.class)).as("the event processors' positions are stored")
                    .isInstanceOf(JdbcTokenStore.class);
            assertThat(context.getBeansOfType(UsagePropertyProvider.class).values())
                    .isNotEmpty()
                    .allSatisfy(provider -> assertThat(provider.getDisabled()).isTrue());
        }
    }
}
