package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** How the embedded database stores the events. */
class EventStoreOnH2Test {

    @TempDir
    Path dataDir;

    @Test
    void onH2TheEventPositionsComeFromACacheOf4096() throws SQLException {
        TestDatabase database = TestDatabase.freshH2(dataDir);
        try (ConfigurableApplicationContext ledger = Ledger.start(database)) {
            try (Connection connection = ledger.getBean(javax.sql.DataSource.class).getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet cache = statement.executeQuery("SELECT identity_cache FROM information_schema.columns"
                         + " WHERE table_name = 'domain_event_entry' AND column_name = 'global_index'")) {
                assertThat(cache.next()).isTrue();
                assertThat(cache.getLong(1)).isEqualTo(4096);
            }
        }
    }
}
