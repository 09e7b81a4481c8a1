package dev.claimsledger.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.core.CoreBeanNames;
import dev.claimsledger.core.LedgerObjectMapper;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * How Axon stores things: one Jackson 2 serializer for everything (XStream cannot read records, and Axon's Jackson 3
 * serializer cannot read a ReplayToken), snake_case JDBC tables created by Flyway, and snapshots.
 */
@Configuration(proxyBeanMethods = false)
class AxonStorageConfiguration {

    @Bean
    ObjectMapper ledgerObjectMapper() {
        return LedgerObjectMapper.create();
    }

    @Bean
    @Primary
    Serializer serializer(ObjectMapper ledgerObjectMapper) {
        return JacksonSerializer.builder().objectMapper(ledgerObjectMapper).build();
    }

    @Bean
    @Qualifier("eventSerializer")
    Serializer eventSerializer(Serializer serializer) {
        return serializer;
    }

    @Bean
    @Qualifier("messageSerializer")
    Serializer messageSerializer(Serializer serializer) {
        return serializer;
    }

    @Bean
    EventSchema eventSchema() {
        return EventSchema.builder()
                .eventTable("domain_event_entry")
                .snapshotTable("snapshot_event_entry")
                .globalIndexColumn("global_index")
                .timestampColumn("time_stamp")
                .eventIdentifierColumn("event_identifier")
                .aggregateIdentifierColumn("aggregate_identifier")
                .sequenceNumberColumn("sequence_number")
                .typeColumn("type")
                .payloadTypeColumn("payload_type")
                .payloadRevisionColumn("payload_revision")
                .payloadColumn("payload")
                .metaDataColumn("meta_data")
                .build();
    }

    @Bean
    TokenSchema tokenSchema() {
        return TokenSchema.builder()
                .setTokenTable("token_entry")
                .setProcessorNameColumn("processor_name")
                .setSegmentColumn("segment")
                .setTokenColumn("token")
                .setTokenTypeColumn("token_type")
                .setTimestampColumn("time_stamp")
                .setOwnerColumn("owner")
                .build();
    }

    @Bean(CoreBeanNames.SNAPSHOT_TRIGGER)
    SnapshotTriggerDefinition claimSnapshotTrigger(Snapshotter snapshotter, ClaimsProperties properties) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, properties.snapshot().threshold());
    }
}
