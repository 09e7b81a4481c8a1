package dev.claimsledger.server.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.core.LedgerObjectMapper;
import dev.claimsledger.projection.ConsumerClaimsProjection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.ReplayToken;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.async.SequentialPerAggregatePolicy;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Which events the read model's processor has applied, read from {@code token_entry} as Axon stores it: a stream
 * belongs to the segment Axon's processor gives its events (the default sequencing policy, by aggregate identifier),
 * and an event is applied once that segment's token covers its position, gaps excepted.
 */
class ReadModelPositionTest {

    private static final Serializer SERIALIZER = JacksonSerializer.builder()
            .objectMapper(LedgerObjectMapper.create()).build();

    private SingleConnectionDataSource dataSource;
    private JdbcTemplate jdbc;

    @BeforeEach
    void migratedDatabase() {
        dataSource = new SingleConnectionDataSource("jdbc:h2:mem:tokens-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", "", true);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = new JdbcTemplate(dataSource);
    }

    @AfterEach
    void close() {
        dataSource.destroy();
    }

    @Test
    void anEventIsAppliedWhenTheTokenOfItsStreamsSegmentCoversItsPosition() {
        storeToken(0, GapAwareTrackingToken.newInstance(100, List.of(40L)));
        storeToken(1, GapAwareTrackingToken.newInstance(50, List.of()));
        storeToken(2, null);
        storeToken(3, ReplayToken.createReplayToken(GapAwareTrackingToken.newInstance(300, List.of()),
                GapAwareTrackingToken.newInstance(70, List.of())));
        // what each segment has applied: up to 100 but 40; up to 50; nothing; up to 70 of a replay
        List<Applied> applied = List.of(new Applied(100, 40), new Applied(50, -1), new Applied(-1, -1),
                new Applied(70, -1));

        ReadModelPosition position = ReadModelPosition.read(jdbc, SERIALIZER);

        for (int c = 0; c < 64; c++) {
            String stream = "4:acme/consumer-" + c;
            int segment = segmentAxonGives(stream);
            for (long index : new long[] {1, 40, 41, 50, 51, 70, 71, 100, 101}) {
                Applied expected = applied.get(segment);
                assertThat(position.hasPassed(stream, index)).as("%s (segment %d) at %d", stream, segment, index)
                        .isEqualTo(index <= expected.upTo() && index != expected.gap());
            }
        }
    }

    @Test
    void withoutTokensNothingIsApplied() {
        assertThat(ReadModelPosition.read(jdbc, SERIALIZER).hasPassed("4:acme/consumer-1", 1)).isFalse();
    }

    private record Applied(long upTo, long gap) {
    }

    /** The segment whose worker Axon's processor hands the stream's events to, with the default sequencing policy. */
    private static int segmentAxonGives(String stream) {
        Object sequence = SequentialPerAggregatePolicy.instance().getSequenceIdentifierFor(
                new GenericDomainEventMessage<>("Claim", stream, 0, "payload"));
        for (int id = 0; id < 4; id++) {
            if (Segment.computeSegment(id, 0, 1, 2, 3).matches(Objects.hashCode(sequence))) {
                return id;
            }
        }
        throw new IllegalStateException("no segment for " + stream);
    }

    private void storeToken(int segment, TrackingToken token) {
        byte[] data = token == null ? null : SERIALIZER.serialize(token, byte[].class).getData();
        String type = token == null ? null : SERIALIZER.typeForClass(token.getClass()).getName();
        jdbc.update("INSERT INTO token_entry (processor_name, segment, token, token_type, time_stamp, owner)"
                + " VALUES (?, ?, ?, ?, ?, NULL)", ConsumerClaimsProjection.PROCESSING_GROUP, segment, data, type,
                "2026-01-01T00:00:00Z");
    }
}
