package dev.claimsledger.server.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.compaction.CompactedRuns;
import dev.claimsledger.compaction.RetainedHeartbeats;
import dev.claimsledger.merkle.Checkpoints;
import dev.claimsledger.merkle.LeafSource;
import dev.claimsledger.merkle.MerkleLog;
import dev.claimsledger.merkle.MerkleLogWriter;
import dev.claimsledger.server.ClaimsProperties;
import java.time.Clock;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The Merkle log of claims-merkle, wired into the server: its single writer as the tracking processor
 * {@value MerkleLogWriter#PROCESSING_GROUP} (one segment, set in application.yml), the proofs, and the checkpoints
 * signed every {@code claims.checkpoints.interval}.
 */
@Configuration(proxyBeanMethods = false)
class MerkleLogConfiguration {

    /** The one place the log re-reads events from, compacted heartbeats included. */
    @Bean
    LeafSource leafSource(JdbcTemplate jdbcTemplate, ObjectMapper ledgerObjectMapper, ClaimsProperties properties) {
        CompactedRuns runs = new CompactedRuns(ledgerObjectMapper);
        return new ExpandedLeafSource(jdbcTemplate, runs, new RetainedHeartbeats(
                properties.retention().exportDirectory(properties.dataDir()), runs));
    }

    @Bean
    MerkleLog merkleLog(JdbcTemplate jdbcTemplate, LeafSource leafSource) {
        return new MerkleLog(jdbcTemplate, leafSource);
    }

    @Bean
    MerkleLogWriter merkleLogWriter(JdbcTemplate jdbcTemplate, @Qualifier("eventSerializer") Serializer serializer) {
        return new MerkleLogWriter(jdbcTemplate, serializer);
    }

    /**
     * A failure while appending rolls the batch back and the processor retries it, instead of Axon's default of
     * logging the failure and going on without that event, which would leave it out of the log for good.
     */
    @Bean
    ConfigurerModule merkleLogFailuresPropagate() {
        return configurer -> configurer.eventProcessing().registerListenerInvocationErrorHandler(
                MerkleLogWriter.PROCESSING_GROUP, configuration -> PropagatingErrorHandler.instance());
    }

    @Bean
    Checkpoints checkpoints(JdbcTemplate jdbcTemplate, Clock clock) {
        return new Checkpoints(jdbcTemplate, clock);
    }

    @Bean
    LedgerCheckpoints ledgerCheckpoints(ClaimsProperties properties, Environment environment, MerkleLogWriter writer,
                                        MerkleLog merkleLog, Checkpoints checkpoints) {
        return new LedgerCheckpoints(properties, environment, writer, merkleLog, checkpoints);
    }
}
