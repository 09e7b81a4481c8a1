package dev.claimsledger.server.compaction;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.compaction.Compactions;
import dev.claimsledger.compaction.Compactor;
import dev.claimsledger.compaction.HeartbeatRetention;
import dev.claimsledger.compaction.MaintenanceLock;
import dev.claimsledger.core.LedgerObjectMapper;
import dev.claimsledger.server.ClaimsProperties;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.UUID;
import javax.sql.DataSource;
import org.axonframework.serialization.json.JacksonSerializer;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * {@code java -jar claims-server.jar compact [--spring.profiles.active=postgres ...]}: compacts the heartbeats older
 * than {@code claims.compaction.hot-window} once, with the same profiles and settings as the server but without HTTP,
 * event processors or the lease writer. Exit status 0 when done, 2 when it could not run (the database unreachable or
 * held by a running embedded server, another node compacting).
 */
public final class CompactCommand {

    public static final String NAME = "compact";
    public static final int DONE = 0;
    public static final int COULD_NOT_RUN = 2;

    private CompactCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CompactCommandConfiguration.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .properties("spring.flyway.enabled=false", "logging.level.root=WARN")
                .run(args)) {
            ClaimsProperties properties = context.getBean(ClaimsProperties.class);
            DataSource dataSource = context.getBean(DataSource.class);
            ObjectMapper stored = LedgerObjectMapper.create();
            Clock clock = Clock.systemUTC();
            TrackedPositions tracked = new TrackedPositions(new JdbcTemplate(dataSource),
                    JacksonSerializer.builder().objectMapper(stored).build());
            try (Compactions compactions = new Compactions(
                    new Compactor(dataSource, context.getBean(PlatformTransactionManager.class), stored, clock),
                    new MaintenanceLock(dataSource, clock, Compactions.LOCK, "compact command "
                            + ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID(),
                            CompactionConfiguration.LOCK_LEASE),
                    clock, properties.compaction().hotWindow(), properties.compaction().pace(), tracked::passed,
                    CompactionConfiguration.retention(properties, new HeartbeatRetention(dataSource,
                            context.getBean(PlatformTransactionManager.class), stored, clock)), (result, retained) -> {
                    })) {
                out.println("claims-ledger compact: compacting heartbeats older than "
                        + properties.compaction().hotWindow());
                Compactions.Compaction done = compactions.runNow();
                Compactor.Result result = done.result();
                out.println("compacted " + result.heartbeatsCompacted() + " heartbeats, removed "
                        + result.rowsRemoved() + " rows, about " + result.bytesReclaimed() + " bytes reclaimed");
                if (done.retained() != null) {
                    out.println("retention dropped the detail of " + done.retained().heartbeatsDropped()
                            + " heartbeats older than " + properties.retention().heartbeatDetail() + ", exported first"
                            + " to " + (done.retained().exportFile() == null ? "no file (nothing to drop)"
                            : done.retained().exportFile()));
                }
                return DONE;
            }
        } catch (RuntimeException e) {
            err.println("claims-ledger compact could not run: " + rootMessage(e));
            return COULD_NOT_RUN;
        }
    }

    /** The message of the failure's root cause, or its type when it has none. */
    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Only the database and its transactions. Not a {@code @Configuration}, so the server's scan leaves it alone. */
    @ImportAutoConfiguration({DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class})
    @EnableConfigurationProperties(ClaimsProperties.class)
    static class CompactCommandConfiguration {
    }
}
