package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import org.axonframework.config.Configuration;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.updates.configuration.UsagePropertyProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

class PersistentDeadlinesGuardTest {

    @TempDir
    Path dataDir;

    @Test
    void startUpFailsWithAClearMessageWhenDeadlinesWouldBeKeptInMemory() {
        assertThatThrownBy(() -> Ledger.start(TestDatabase.freshH2(dataDir), Map.of("db-scheduler.enabled", false)).close())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("DbSchedulerDeadlineManager")
                .hasMessageContaining("would never expire");
    }

    @Test
    void theDefaultSettingsUseThePersistentDeadlineManagerAndNeverPhoneHome() {
        try (ConfigurableApplicationContext context = Ledger.start(TestDatabase.freshH2(dataDir))) {
            assertThat(context.getBean(Configuration.class).deadlineManager())
                    .isInstanceOf(DbSchedulerDeadlineManager.class);
            assertThat(context.getBeansOfType(UsagePropertyProvider.class).values())
                    .isNotEmpty()
                    .allSatisfy(provider -> assertThat(provider.getDisabled()).isTrue());
        }
    }
}
