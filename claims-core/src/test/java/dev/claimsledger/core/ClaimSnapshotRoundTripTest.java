package dev.claimsledger.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.LeasePolicy;
import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Snapshots and stored messages go through the ledger's one serializer. A snapshot that loses the aggregate's
 * private state would restore an empty claim; these tests fail when that happens.
 */
class ClaimSnapshotRoundTripTest {

    private static final String TENANT = "acme";
    private static final String CONSUMER = "invoice-indexer";
    private static final String ENTITY_URL = "https://entities.example/acme/invoices";
    private static final String STREAM_PATH = "/acme/invoices/events";
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    private static final List<AckedStream> ACKED = List.of(
            new AckedStream(STREAM_PATH, "offset-42"), new AckedStream("/acme/invoices/audit", "7"));

    private final Serializer serializer = JacksonSerializer.builder()
            .objectMapper(LedgerObjectMapper.create())
            .build();

    // ---- the aggregate snapshot ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void aSnapshotRestoresTheClaimItWasTakenFrom(String history, List<Object> events) {
        Claim original = claimFrom(events);

        Claim restored = serializer.deserialize(serializer.serialize(original, String.class));

        assertThat(stateOf(restored)).isEqualTo(stateOf(original));
    }

    @Test
    void aSnapshotIsNotEmptyAndHoldsTheLeaseEnd() {
        Claim claim = claimFrom(List.of(
                materialized(1, T0, LeasePolicy.RENEW_ON_HEARTBEAT),
                new HeartbeatReceived(TENANT, CONSUMER, 1, T0.plusSeconds(10), null, T0.plusSeconds(40))));

        SerializedObject<String> snapshot = serializer.serialize(claim, String.class);

        assertThat(snapshot.getData().replaceAll("\\s", "")).isNotEqualTo("{}");
        assertThat(snapshot.getData()).contains("\"2025-03-01T12:00:40Z\"");
    }

    @Test
    void theStateTheRoundTripTestComparesIsTheClaimsState() {
        // guards the round-trip test itself: an empty claim must not compare equal to a made one
        Claim made = claimFrom(List.of(materialized(1, T0, LeasePolicy.FIXED)));

        assertThat(stateOf(made))
                .containsEntry("streamId", ConsumerRef.streamId(TENANT, CONSUMER))
                .containsEntry("tenantId", TENANT)
                .containsEntry("consumerId", CONSUMER)
                .isNotEqualTo(stateOf(new Claim()));
        assertThat(stateOf(made).get("current")).isNotNull();
    }

    static Stream<Arguments> histories() {
        ClaimMaterialized first = materialized(1, T0, LeasePolicy.RENEW_ON_HEARTBEAT);
        return Stream.of(
                Arguments.of("just made", List.of(first)),
                Arguments.of("made without optional ids, fixed lease", List.of(
                        new ClaimMaterialized(TENANT, CONSUMER, 3, ENTITY_URL, STREAM_PATH, null, null, TTL.toMillis(),
                                LeasePolicy.FIXED, T0, T0.plus(TTL)))),
                Arguments.of("renewed by heartbeats", List.of(first,
                        new HeartbeatReceived(TENANT, CONSUMER, 1, T0.plusSeconds(10), T0.plusSeconds(9),
                                T0.plusSeconds(40)),
                        new HeartbeatReceived(TENANT, CONSUMER, 1, T0.plusSeconds(20), null, T0.plusSeconds(50)))),
                Arguments.of("released with acked streams", List.of(first,
                        new ClaimReleased(TENANT, CONSUMER, 1, T0.plusSeconds(5), ACKED, T0.plus(TTL)))),
                Arguments.of("expired", List.of(first,
                        new ClaimLeaseExpired(TENANT, CONSUMER, 1, T0.plus(TTL), T0.plus(TTL)))),
                Arguments.of("superseded by a later epoch", List.of(first,
                        new ClaimSuperseded(TENANT, CONSUMER, 1, 2, T0.plusSeconds(5), T0.plus(TTL)),
                        materialized(2, T0.plusSeconds(5), LeasePolicy.RENEW_ON_HEARTBEAT))),
                Arguments.of("ids that need encoding", List.of(
                        new ClaimMaterialized("acme corp/eu", "indexer#1 ü", 1, ENTITY_URL, STREAM_PATH, "w", "r",
                                TTL.toMillis(), LeasePolicy.RENEW_ON_HEARTBEAT, T0, T0.plus(TTL)))));
    }

    // ---- stored messages ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("storedMessages")
    void aStoredMessageReadsBackAsItWasWritten(String type, Object message) {
        SerializedObject<String> stored = serializer.serialize(message, String.class);

        Object read = serializer.deserialize(stored);

        assertThat(read).isEqualTo(message);
    }

    static Stream<Arguments> storedMessages() {
        return Stream.of(
                Arguments.of("ClaimMaterialized", materialized(4, T0, LeasePolicy.RENEW_ON_HEARTBEAT)),
                Arguments.of("ClaimMaterialized, fixed, no optional ids", new ClaimMaterialized(TENANT, CONSUMER, 0,
                        ENTITY_URL, STREAM_PATH, null, null, 1_000, LeasePolicy.FIXED, T0, T0.plusSeconds(1))),
                Arguments.of("HeartbeatReceived", new HeartbeatReceived(TENANT, CONSUMER, 4, T0.plusSeconds(3),
                        T0.plusSeconds(2).plusNanos(123_456_789), T0.plusSeconds(33))),
                Arguments.of("HeartbeatReceived without reported time", new HeartbeatReceived(TENANT, CONSUMER, 4,
                        T0.plusSeconds(3), null, T0.plusSeconds(33))),
                Arguments.of("ClaimReleased", new ClaimReleased(TENANT, CONSUMER, 4, T0.plusSeconds(7), ACKED,
                        T0.plus(TTL))),
                Arguments.of("ClaimReleased without acked streams", new ClaimReleased(TENANT, CONSUMER, 4,
                        T0.plusSeconds(7), List.of(), T0.plus(TTL))),
                Arguments.of("ClaimLeaseExpired", new ClaimLeaseExpired(TENANT, CONSUMER, 4, T0.plus(TTL).plusMillis(3),
                        T0.plus(TTL))),
                Arguments.of("ClaimSuperseded", new ClaimSuperseded(TENANT, CONSUMER, 4, 5, T0.plusSeconds(9),
                        T0.plus(TTL))),
                Arguments.of("LeaseExpiryDue", new LeaseExpiryDue(4)));
    }

    @Test
    void storedInstantsAreIsoTextNotNumbers() {
        SerializedObject<String> stored = serializer.serialize(
                new ClaimLeaseExpired(TENANT, CONSUMER, 4, T0.plusSeconds(31), T0.plus(TTL)), String.class);

        assertThat(stored.getData())
                .contains("\"expiredAt\":\"2025-03-01T12:00:31Z\"")
                .contains("\"leaseExpiresAt\":\"2025-03-01T12:00:30Z\"");
    }

    // ---- helpers ----

    private static ClaimMaterialized materialized(long epoch, Instant claimedAt, LeasePolicy policy) {
        return new ClaimMaterialized(TENANT, CONSUMER, epoch, ENTITY_URL, STREAM_PATH, "wake-" + epoch, "runner-3",
                TTL.toMillis(), policy, claimedAt, claimedAt.plus(TTL));
    }

    /** A claim sourced from its history through its own event-sourcing handlers. */
    private static Claim claimFrom(List<Object> events) {
        Claim claim = new Claim();
        long sequence = 0;
        for (Object event : events) {
            String hash = "hash-" + sequence;
            if (event instanceof ClaimMaterialized e) {
                claim.on(e, sequence++, hash);
            } else if (event instanceof HeartbeatReceived e) {
                claim.on(e, sequence++, hash);
            } else if (event instanceof ClaimReleased e) {
                claim.on(e, sequence++, hash);
            } else if (event instanceof ClaimLeaseExpired e) {
                claim.on(e, sequence++, hash);
            } else if (event instanceof ClaimSuperseded e) {
                claim.on(e, sequence++, hash);
            } else {
                throw new IllegalArgumentException("not a claim event: " + event);
            }
        }
        return claim;
    }

    /** Every field of the aggregate, by name: what a snapshot has to keep. */
    private static Map<String, Object> stateOf(Claim claim) {
        Map<String, Object> state = new LinkedHashMap<>();
        for (Field field : Claim.class.getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            field.setAccessible(true);
            try {
                state.put(field.getName(), field.get(claim));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return state;
    }
}
