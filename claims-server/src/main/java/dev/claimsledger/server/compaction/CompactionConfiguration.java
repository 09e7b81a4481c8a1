package dev.claimsledger.server.compaction;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.compaction.Compactions;
import dev.claimsledger.compaction.Compactor;
import dev.claimsledger.compaction.HeartbeatRetention;
import dev.claimsledger.compaction.MaintenanceLock;
import dev.claimsledger.server.ClaimsProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Compaction of old heartbeats: by itself every {@code claims.compaction.interval} on one node at a time, on demand
 * through {@code POST /v1/admin/compactions} and {@code claims-server.jar compact}. It never rewrites an event some
 * event processor has not passed yet.
 */
@Configuration(proxyBeanMethods = false)
public class CompactionConfiguration {

    /** How long a node holds the compaction lock without renewing it before another may take over. */
    static final Duration LOCK_LEASE = Duration.ofMinutes(1);

    @Bean
    Compactor compactor(DataSource dataSource, PlatformTransactionManager transactionManager,
                        ObjectMapper ledgerObjectMapper, Clock ledgerClock) {
        return new Compactor(dataSource, transactionManager, ledgerObjectMapper, ledgerClock);
    }

    @Bean
    HeartbeatRetention heartbeatRetention(DataSource dataSource, PlatformTransactionManager transactionManager,
                                          ObjectMapper ledgerObjectMapper, Clock ledgerClock) {
        return new HeartbeatRetention(dataSource, transactionManager, ledgerObjectMapper, ledgerClock);
    }

    /** Retention after each compaction, as {@code claims.retention} sets it, or null when it is off. */
    static Compactions.Retention retention(ClaimsProperties properties, HeartbeatRetention retention) {
        ClaimsProperties.Retention settings = properties.retention();
        return settings.enabled() ? new Compactions.Retention(retention, settings.heartbeatDetail(),
                settings.exportDirectory(properties.dataDir())) : null;
    }

    @Bean(destroyMethod = "close")
    Compactions compactions(Compactor compactor, HeartbeatRetention retention, DataSource dataSource, Clock ledgerClock,
                            Serializer serializer, ClaimsProperties properties, ObjectProvider<MeterRegistry> meters) {
        TrackedPositions tracked = new TrackedPositions(new JdbcTemplate(dataSource), serializer);
        MaintenanceLock lock = new MaintenanceLock(dataSource, ledgerClock, Compactions.LOCK,
                ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID(), LOCK_LEASE);
        MeterRegistry registry = meters.getIfAvailable();
        Counter heartbeats = registry == null ? null : Counter.builder("claims.compaction.heartbeats")
                .description("heartbeats moved into compacted runs").register(registry);
        Counter bytes = registry == null ? null : Counter.builder("claims.compaction.bytes.reclaimed")
                .description("bytes of payload and metadata that compaction took out of the event table")
                .register(registry);
        Counter dropped = registry == null ? null : Counter.builder("claims.retention.heartbeats.dropped")
                .description("heartbeats whose detail retention exported, then dropped").register(registry);
        return new Compactions(compactor, lock, ledgerClock, properties.compaction().hotWindow(),
                properties.compaction().pace(), tracked::passed, retention(properties, retention), (result, retained) -> {
                    if (heartbeats != null) {
                        heartbeats.increment(result.heartbeatsCompacted());
                        bytes.increment(Math.max(0, result.bytesReclaimed()));
                        dropped.increment(retained == null ? 0 : retained.heartbeatsDropped());
                    }
                });
    }

    /** Compacts by itself once the server is ready, when {@code claims.compaction.enabled}. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> scheduledCompaction(Compactions compactions,
                                                                   ClaimsProperties properties) {
        return ready -> {
            if (properties.compaction().enabled()) {
                compactions.startEvery(properties.compaction().interval());
            }
        };
    }
}
