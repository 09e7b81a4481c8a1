package dev.claimsledger.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;

/**
 * The one Jackson 2 mapper behind Axon's serializer for events, messages, snapshots, tokens and deadlines. Stored
 * JSON is the long-term format of the ledger, so its settings are fixed here rather than left to defaults.
 */
public final class LedgerObjectMapper {

    private LedgerObjectMapper() {
    }

    public static ObjectMapper create() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                // after JavaTimeModule, so that it reads and writes instants first
                .addModule(new SimpleModule("canonical-instants")
                        .addDeserializer(Instant.class, new CanonicalInstantDeserializer())
                        .addSerializer(Instant.class, new CanonicalInstantSerializer()))
                // instants as ISO-8601 text, readable by an auditor and by any other tool
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                // events written by a newer version must stay readable by an older one during a rolling upgrade
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                // stable output for the same value, which hashing stored events will rely on
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .build();
    }
}
