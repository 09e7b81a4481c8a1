package dev.claimsledger.server.http;

import static dev.claimsledger.server.support.LedgerHttp.claim;
import static dev.claimsledger.server.support.LedgerHttp.claims;
import static dev.claimsledger.server.support.LedgerHttp.heartbeatBatch;
import static dev.claimsledger.server.support.LedgerHttp.heartbeats;
import static dev.claimsledger.server.support.LedgerHttp.postJson;
import static dev.claimsledger.server.support.LedgerHttp.query;
import static dev.claimsledger.server.support.LedgerHttp.release;
import static dev.claimsledger.server.support.LedgerHttp.runnerHealth;
import static dev.claimsledger.server.support.LedgerHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.projection.ConsumerClaimsProjection;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.TestDatabase;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.EventProcessor;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import javax.sql.DataSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.context.support.ServletRequestHandledEvent;

/**
 * The claims HTTP API as a caller sees it: the whole ledger on a free port, real HTTP, a real database, run against
 * each storage the ledger supports. One ledger serves the whole class; every test works with consumers (and, where it
 * lists claims, a tenant) of its own, so the tests never see each other's claims.
 *
 * <p>Command answers come from the aggregate and are checked at once; reads come from the read model, which lags, so
 * they are polled. Every exchange, errors included, is also checked against the OpenAPI document the ledger serves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClaimsHttpContract {

    private static final String TENANT = "acme";
    private static final long TTL_MS = 60_000;
    private static final long SHORT_TTL_MS = 1_000;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final String SHARED_ENTITY = "https://example.test/entities/shared";
    /**
     * A release body. Releases made to set up another behaviour send one acked stream; what a release without acked
     * streams does is {@link #aReleaseWithoutAckedStreamsReleasesTheClaim}'s concern.
     */
    private static final Map<String, Object> ACKED = Map.of("acked_streams",
            List.of(Map.of("path", "/streams/work-1", "offset", "7")));

    private ConfigurableApplicationContext ledger;
    private LedgerHttp http;
    /** The paths of the requests Spring MVC's dispatcher answered. */
    private final Set<String> answeredBySpringMvc = ConcurrentHashMap.newKeySet();

    abstract TestDatabase database();

    @BeforeAll
    void startLedger() {
        ledger = Ledger.startWithHttp(database(), Map.of("claims.deadlines.polling-interval", "200ms"));
        http = LedgerHttp.heldToTheServedDocument(Ledger.baseUrl(ledger));
        ledger.addApplicationListener(event -> {
            if (event instanceof ServletRequestHandledEvent handled) {
                answeredBySpringMvc.add(handled.getRequestUrl());
            }
        });
    }

    /** Every exchange is checked as it happens; this also catches one whose failure a poll swallowed. */
    @AfterEach
    void everyExchangeKeptTheOpenApiDocument() {
        assertThat(http.takeContractViolations()).as("exchanges that broke the served OpenAPI document").isEmpty();
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    // === 1. the whole life of a claim ================================================================================

    @Test
    void claimHeartbeatAndReleaseTakeAClaimThroughItsWholeLife() {
        String consumer = consumer("lifecycle");
        Map<String, Object> request = claimRequest(consumer, 1);

        Reply created = http.post(claims(TENANT), request);

        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.contentType()).startsWith("application/json");
        assertThat(created.location()).as("Location header").isNotNull();
        assertThat(URI.create(http.baseUrl() + "/").resolve(created.location()).getPath())
                .isEqualTo(claim(TENANT, consumer, 1));
        JsonNode body = created.json();
        assertThat(body.get("tenant_id").asText()).isEqualTo(TENANT);
        assertThat(body.get("consumer_id").asText()).isEqualTo(consumer);
        assertThat(body.get("epoch").asLong()).isEqualTo(1);
        assertThat(body.get("wake_id").asText()).isEqualTo(request.get("wake_id"));
        assertThat(body.get("entity_url").asText()).isEqualTo(request.get("entity_url"));
        assertThat(body.get("stream_path").asText()).isEqualTo(request.get("stream_path"));
        assertThat(body.get("runner_id").asText()).isEqualTo(request.get("runner_id"));
        assertThat(body.get("status").asText()).isEqualTo("active");
        assertThat(body.get("lease_ttl_ms").asLong()).isEqualTo(TTL_MS);
        assertThat(body.get("lease_policy").asText()).isEqualTo("renew_on_heartbeat");
        Instant claimedAt = created.instant("claimed_at");
        assertThat(created.instant("lease_expires_at")).isEqualTo(claimedAt.plusMillis(TTL_MS));
        assertThat(created.number("lease_remaining_ms")).isPositive().isLessThanOrEqualTo(TTL_MS);
        assertThat(created.number("heartbeat_count")).isZero();
        assertThat(body.get("acked_streams").isArray()).isTrue();
        assertThat(body.get("acked_streams")).isEmpty();
        assertThat(body.get("last_heartbeat_at").isNull()).isTrue();
        assertThat(body.get("released_at").isNull()).isTrue();
        assertThat(body.get("ended_at").isNull()).isTrue();
        assertThat(body.get("end_reason").isNull()).isTrue();
        assertThat(created.instant("updated_at")).isEqualTo(claimedAt);

        Reply firstBeat = http.post(heartbeats(TENANT, consumer, 1),
                Map.of("reported_at", "2020-01-01T00:00:00Z"));
        assertThat(firstBeat.status()).as("%s", firstBeat).isEqualTo(200);
        Instant firstBeatAt = firstBeat.instant("last_heartbeat_at");
        assertThat(firstBeatAt).isAfter(claimedAt);
        assertThat(firstBeat.instant("lease_expires_at"))
                .as("renew_on_heartbeat: the lease ends one TTL after the heartbeat, by the ledger's clock")
                .isEqualTo(firstBeatAt.plusMillis(TTL_MS))
                .isAfter(created.instant("lease_expires_at"));
        assertThat(firstBeat.number("heartbeat_count")).isEqualTo(1);

        Reply secondBeat = http.post(heartbeats(TENANT, consumer, 1));
        assertThat(secondBeat.status()).as("%s", secondBeat).isEqualTo(200);
        assertThat(secondBeat.instant("lease_expires_at"))
                .isEqualTo(secondBeat.instant("last_heartbeat_at").plusMillis(TTL_MS))
                .isAfter(firstBeat.instant("lease_expires_at"));
        assertThat(secondBeat.number("heartbeat_count")).isEqualTo(2);

        List<Map<String, String>> acked = List.of(Map.of("path", "/streams/a", "offset", "0000000042"),
                Map.of("path", "/streams/b", "offset", "17"));
        Reply released = http.post(release(TENANT, consumer, 1), Map.of("acked_streams", acked));
        assertThat(released.status()).as("%s", released).isEqualTo(200);
        assertThat(released.text("status")).isEqualTo("released");
        assertThat(released.text("end_reason")).isEqualTo("released");
        assertThat(released.instant("released_at")).isNotNull().isAfter(secondBeat.instant("last_heartbeat_at"));
        assertThat(released.instant("ended_at")).isEqualTo(released.instant("released_at"));
        assertThat(released.number("lease_remaining_ms")).isZero();
        assertThat(released.number("heartbeat_count")).isEqualTo(2);
        assertThat(released.json().get("acked_streams")).isEqualTo(LedgerHttp.JSON.valueToTree(acked));

        JsonNode stored = awaitClaim(TENANT, consumer, 1, reply -> "released".equals(reply.text("status")));
        assertThat(stored.get("acked_streams")).isEqualTo(LedgerHttp.JSON.valueToTree(acked));
        assertThat(stored.get("end_reason").asText()).isEqualTo("released");
        assertThat(stored.get("heartbeat_count").asLong()).isEqualTo(2);
        assertThat(stored.get("lease_remaining_ms").asLong()).isZero();
        assertThat(withoutRemaining(stored)).as("the read model holds what the release answered")
                .isEqualTo(withoutRemaining(released.json()));
    }

    Stream<Arguments> releasesWithoutAckedStreams() {
        return Stream.of(
                Arguments.of("no body", null),
                Arguments.of("an empty object", "{}"),
                Arguments.of("acked_streams null", "{\"acked_streams\": null}"),
                Arguments.of("acked_streams empty", "{\"acked_streams\": []}"));
    }

    /** The release body is optional, and so is its {@code acked_streams}. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("releasesWithoutAckedStreams")
    void aReleaseWithoutAckedStreamsReleasesTheClaim(String description, String body) {
        String consumer = consumer("release-bare");
        assertThat(http.post(claims(TENANT), claimRequest(consumer, 1)).status()).isEqualTo(201);

        Reply released = body == null
                ? http.post(release(TENANT, consumer, 1))
                : http.postRaw(release(TENANT, consumer, 1), body);

        assertThat(released.status()).as("%s: %s", description, released).isEqualTo(200);
        assertThat(released.text("status")).isEqualTo("released");
        assertThat(released.json().get("acked_streams")).isEmpty();
        assertThat(events(TENANT, consumer)).hasSize(2).last().isInstanceOf(ClaimReleased.class);
    }

    @Test
    void releasingAReleasedClaimAgainAnswers200AndAppendsNothing() {
        String consumer = consumer("release-twice");
        assertThat(http.post(claims(TENANT), claimRequest(consumer, 1)).status()).isEqualTo(201);
        Reply first = http.post(release(TENANT, consumer, 1), ACKED);
        assertThat(first.status()).as("%s", first).isEqualTo(200);
        List<Object> before = events(TENANT, consumer);

        Reply again = http.post(release(TENANT, consumer, 1), ACKED);

        assertThat(again.status()).as("%s", again).isEqualTo(200);
        assertThat(withoutRemaining(again.json())).isEqualTo(withoutRemaining(first.json()));
        assertThat(events(TENANT, consumer)).isEqualTo(before);
    }

    // === 2. fixed leases =============================================================================================

    @Test
    void heartbeatsOnAFixedLeaseCountButNeverMoveTheLease() {
        String consumer = consumer("fixed");
        Map<String, Object> request = claimRequest(consumer, 1);
        request.put("lease_policy", "fixed");
        Reply created = http.post(claims(TENANT), request);
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.text("lease_policy")).isEqualTo("fixed");
        Instant leaseEnd = created.instant("lease_expires_at");

        Reply first = http.post(heartbeats(TENANT, consumer, 1));
        Reply second = http.post(heartbeats(TENANT, consumer, 1));

        assertThat(first.status()).as("%s", first).isEqualTo(200);
        assertThat(second.status()).as("%s", second).isEqualTo(200);
        assertThat(first.instant("lease_expires_at")).isEqualTo(leaseEnd);
        assertThat(second.instant("lease_expires_at")).isEqualTo(leaseEnd);
        assertThat(first.number("heartbeat_count")).isEqualTo(1);
        assertThat(second.number("heartbeat_count")).isEqualTo(2);
        assertThat(second.instant("last_heartbeat_at")).isAfter(first.instant("last_heartbeat_at"));
        JsonNode stored = awaitClaim(TENANT, consumer, 1, reply -> reply.number("heartbeat_count") == 2);
        assertThat(Instant.parse(stored.get("lease_expires_at").asText())).isEqualTo(leaseEnd);
    }

    // === 3. expiry ===================================================================================================

    @Test
    void aClaimLeftAloneExpiresOnceItsLeaseRunsOut() {
        String consumer = consumer("abandoned");
        Map<String, Object> request = claimRequest(consumer, 1);
        request.put("lease_ttl_ms", SHORT_TTL_MS);
        Reply created = http.post(claims(TENANT), request);
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        Instant leaseEnd = created.instant("lease_expires_at");

        JsonNode expired = awaitClaim(TENANT, consumer, 1, Duration.ofSeconds(10),
                reply -> "expired".equals(reply.text("status")));

        assertThat(expired.get("end_reason").asText()).isEqualTo("expired");
        assertThat(expired.get("lease_remaining_ms").asLong()).isZero();
        assertThat(Instant.parse(expired.get("lease_expires_at").asText())).isEqualTo(leaseEnd);
        assertThat(Instant.parse(expired.get("ended_at").asText())).as("never expired before the lease's end")
                .isAfterOrEqualTo(leaseEnd);
        // the watchdog polls every 200 ms: a second expiry would show within a few polls
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
                events(TENANT, consumer).stream().filter(ClaimLeaseExpired.class::isInstance).count() == 1);
        assertThat(events(TENANT, consumer)).hasSize(2).first().isInstanceOf(ClaimMaterialized.class);
    }

    @Test
    void aClaimKeptAliveByHeartbeatsExpiresAtTheEndOfItsLastLeaseNotItsFirst() {
        String consumer = consumer("kept-alive");
        Map<String, Object> request = claimRequest(consumer, 1);
        request.put("lease_ttl_ms", 2 * SHORT_TTL_MS);
        Reply created = http.post(claims(TENANT), request);
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        Instant firstEnd = created.instant("lease_expires_at");
        Instant lastEnd = firstEnd;
        // heartbeats until well after the first lease's end, so that its watchdog comes due while the claim is alive
        while (Instant.now().isBefore(firstEnd.plusMillis(SHORT_TTL_MS))) {
            Reply heartbeat = http.post(heartbeats(TENANT, consumer, 1));
            assertThat(heartbeat.status()).as("%s", heartbeat).isEqualTo(200);
            lastEnd = heartbeat.instant("lease_expires_at");
            LockSupport.parkNanos(Duration.ofMillis(SHORT_TTL_MS / 4).toNanos());
        }

        JsonNode expired = awaitClaim(TENANT, consumer, 1, Duration.ofSeconds(10),
                reply -> "expired".equals(reply.text("status")));

        assertThat(Instant.parse(expired.get("lease_expires_at").asText())).isEqualTo(lastEnd);
        assertThat(Instant.parse(expired.get("ended_at").asText())).as("never expired before its last lease's end")
                .isAfterOrEqualTo(lastEnd);
        assertThat(events(TENANT, consumer)).filteredOn(ClaimLeaseExpired.class::isInstance).hasSize(1);
    }

    @Test
    void aSweepThatFindsDueWatchdogsSaysHowLongEachStepTook() {
        Logger sweeps = (Logger) LoggerFactory.getLogger("dev.claimsledger.core.LeaseWriter.sweeps");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        Level before = sweeps.getLevel();
        sweeps.setLevel(Level.DEBUG);
        sweeps.addAppender(lines);
        try {
            String consumer = consumer("swept");
            Map<String, Object> request = claimRequest(consumer, 1);
            request.put("lease_ttl_ms", SHORT_TTL_MS);
            assertThat(http.post(claims(TENANT), request).status()).isEqualTo(201);
            awaitClaim(TENANT, consumer, 1, Duration.ofSeconds(10), reply -> "expired".equals(reply.text("status")));

            assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).matches("swept \\d+ due watchdogs \\([1-9]\\d* expired, the"
                            + " earliest \\d+ ms past due\\) in \\d+ ms: finding them \\d+ ms, deciding \\d+ ms,"
                            + " storing and committing \\d+ ms"));
        } finally {
            sweeps.detachAppender(lines);
            sweeps.setLevel(before);
        }
    }

    // === 4. idempotency and conflicts ================================================================================

    @Test
    void repeatingAClaimAnswers200WithTheSameClaimAndAppendsNothing() {
        String consumer = consumer("repeat");
        Map<String, Object> request = claimRequest(consumer, 1);
        Reply first = http.post(claims(TENANT), request);
        assertThat(first.status()).as("%s", first).isEqualTo(201);
        List<Object> before = events(TENANT, consumer);

        Reply repeat = http.post(claims(TENANT), request);

        assertThat(repeat.status()).as("%s", repeat).isEqualTo(200);
        assertThat(repeat.location()).isEqualTo(first.location());
        assertThat(withoutRemaining(repeat.json())).isEqualTo(withoutRemaining(first.json()));
        assertThat(events(TENANT, consumer)).isEqualTo(before).hasSize(1);
    }

    @Test
    void claimingTheSameEpochWithDifferentDataIsAConflict() {
        String consumer = consumer("conflict");
        Reply first = http.post(claims(TENANT), claimRequest(consumer, 1));
        assertThat(first.status()).as("%s", first).isEqualTo(201);
        Map<String, Object> different = claimRequest(consumer, 1);
        different.put("entity_url", "https://example.test/entities/someone-else");

        assertRejectedLeavingNoEvent(TENANT, consumer, () -> http.post(claims(TENANT), different), 409, "conflict");
    }

    // === 5. every error code =========================================================================================

    Stream<Arguments> invalidClaimRequests() {
        List<Arguments> cases = new ArrayList<>();
        String malformed = consumer("malformed");
        cases.add(Arguments.of("malformed JSON", TENANT, malformed,
                "{\"consumer_id\": \"" + malformed + "\", \"epoch\": 1, \"entity_url\": "));
        cases.add(invalid("epoch missing", TENANT, "missing-epoch", body -> body.remove("epoch")));
        cases.add(invalid("lease_ttl_ms missing", TENANT, "missing-ttl", body -> body.remove("lease_ttl_ms")));
        cases.add(invalid("consumer_id missing", TENANT, "missing-consumer", body -> body.remove("consumer_id")));
        cases.add(invalid("epoch as a word", TENANT, "epoch-word", body -> body.put("epoch", "one")));
        cases.add(invalid("epoch as a numeric string", TENANT, "epoch-string", body -> body.put("epoch", "1")));
        cases.add(invalid("epoch 1.5", TENANT, "epoch-fraction", body -> body.put("epoch", 1.5)));
        cases.add(invalid("epoch null", TENANT, "epoch-null", body -> body.put("epoch", null)));
        cases.add(invalid("lease_ttl_ms as a numeric string", TENANT, "ttl-string",
                body -> body.put("lease_ttl_ms", "60000")));
        cases.add(invalid("lease_ttl_ms 60000.5", TENANT, "ttl-fraction", body -> body.put("lease_ttl_ms", 60_000.5)));
        cases.add(invalid("negative epoch", TENANT, "negative-epoch", body -> body.put("epoch", -1)));
        cases.add(invalid("lease_ttl_ms 999", TENANT, "ttl-short", body -> body.put("lease_ttl_ms", 999)));
        cases.add(invalid("lease_ttl_ms 600001", TENANT, "ttl-long", body -> body.put("lease_ttl_ms", 600_001)));
        cases.add(invalid("unknown lease_policy", TENANT, "policy", body -> body.put("lease_policy", "forever")));
        cases.add(invalid("tenant id of 513 characters", "t".repeat(513), "long-tenant", body -> { }));
        String longConsumer = "c".repeat(481) + UUID.randomUUID().toString().replace("-", "");
        cases.add(Arguments.of("consumer id of 513 characters", TENANT, longConsumer,
                LedgerHttp.write(claimRequest(longConsumer, 1))));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidClaimRequests")
    void invalidClaimRequestsAreRejectedAsValidationFailed(String description, String tenant, String consumer,
                                                            String body) {
        assertRejectedLeavingNoEvent(description, tenant, consumer, () -> http.postRaw(claims(tenant), body), 400,
                "validation_failed");
    }

    Stream<Arguments> invalidHeartbeats() {
        return Stream.of(
                Arguments.of("malformed JSON", "1", "{\"reported_at\": "),
                Arguments.of("reported_at not a time", "1", "{\"reported_at\": \"yesterday\"}"),
                Arguments.of("reported_at a number", "1", "{\"reported_at\": 12}"),
                Arguments.of("negative epoch in the path", "-1", "{}"),
                Arguments.of("epoch in the path not a number", "one", "{}"),
                Arguments.of("epoch in the path a fraction", "1.5", "{}"));
    }

    /** The consumer holds an active claim of epoch 1, so only the request's shape can be wrong. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidHeartbeats")
    void invalidHeartbeatRequestsAreRejectedAsValidationFailed(String description, String epochInPath, String body) {
        String consumer = consumer("bad-heartbeat");
        assertThat(http.post(claims(TENANT), claimRequest(consumer, 1)).status()).isEqualTo(201);
        String path = claims(TENANT) + "/" + consumer + "/epochs/" + epochInPath + "/heartbeats";

        assertRejectedLeavingNoEvent(description, TENANT, consumer, () -> http.postRaw(path, body), 400,
                "validation_failed");
    }

    @Test
    void aHeartbeatForAConsumerIdOf513CharactersIsValidationFailed() {
        String consumer = "c".repeat(481) + UUID.randomUUID().toString().replace("-", "");
        assertThat(consumer).hasSize(513);

        assertRejectedLeavingNoEvent(TENANT, consumer, () -> http.post(heartbeats(TENANT, consumer, 1)), 400,
                "validation_failed");
    }

    @ParameterizedTest
    @ValueSource(longs = {1_000, 600_000})
    void leaseTtlsAtTheLimitsAreAccepted(long ttl) {
        String consumer = consumer("ttl-limit");
        Map<String, Object> request = claimRequest(consumer, 1);
        request.put("lease_ttl_ms", ttl);

        Reply created = http.post(claims(TENANT), request);

        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.number("lease_ttl_ms")).isEqualTo(ttl);
    }

    @Test
    void aHeartbeatForAConsumerThatNeverClaimedIsClaimNotFound() {
        String consumer = consumer("unknown");

        assertRejectedLeavingNoEvent(TENANT, consumer, () -> http.post(heartbeats(TENANT, consumer, 1)), 404,
                "claim_not_found");
    }

    @Test
    void aHeartbeatForAnEpochNeverClaimedIsClaimNotFound() {
        String consumer = consumer("future-epoch");
        assertThat(http.post(claims(TENANT), claimRequest(consumer, 1)).status()).isEqualTo(201);

        assertRejectedLeavingNoEvent(TENANT, consumer, () -> http.post(heartbeats(TENANT, consumer, 2)), 404,
                "claim_not_found");
    }

    @Test
    void readingAClaimThatDoesNotExistIsClaimNotFound() {
        String consumer = consumer("missing");

        Reply missing = http.get(claim(TENANT, consumer, 1));

        assertProblem(missing, 404, "claim_not_found");
    }

    @Test
    void claimingALowerEpochThanTheCurrentOneIsStaleEpoch() {
        String consumer = consumer("stale-claim");
        assertThat(http.post(claims(TENANT), claimRequest(consumer, 2)).status()).isEqualTo(201);

        assertRejectedLeavingNoEvent(TENANT, consumer, () -> http.post(claims(TENANT), claimRequest(consumer, 1)), 409,
                "stale_epoch");
    }

    @Test
    void aHeartbeatForALowerEpochThanTheCurrentOneIsStaleEpoch() {
        String consumer = consumer("stale-heartbeat");
        assertThat(http.post(claims(TENANT), claimRequest(consumer, 2)).status()).isEqualTo(201);

        assertRejectedLeavingNoEvent(TENANT, consumer, () -> http.post(heartbeats(TENANT, consumer, 1)), 409,
                "stale_epoch");
    }

    @Test
    void aHeartbeatAfterAReleaseIsClaimNotActive() {
        String consumer = consumer("released");
        assertThat(http.post(claims(TENANT), claimRequest(consumer, 1)).status()).isEqualTo(201);
        assertThat(http.post(release(TENANT, consumer, 1), ACKED).status()).isEqualTo(200);

        assertRejectedLeavingNoEvent(TENANT, consumer, () -> http.post(heartbeats(TENANT, consumer, 1)), 409,
                "claim_not_active");
    }

    // === single heartbeats, answered outside Spring MVC ==============================================================

    /**
     * Each case: how the consumer stands, the epoch in the path, the request's shape, and whether the direct route
     * ({@link DirectHeartbeatFilter}) answers it or passes it on to Spring MVC.
     */
    Stream<Arguments> heartbeatExchanges() {
        UnaryOperator<HttpRequest.Builder> noBody = LedgerHttp::postNothing;
        return Stream.of(
                Arguments.of("no body", "active", "1", noBody, true),
                Arguments.of("reported_at", "active", "1",
                        postJson("{\"reported_at\":\"2026-01-31T12:00:00Z\"}"), true),
                Arguments.of("an empty object", "active", "1", postJson("{}"), true),
                Arguments.of("JSON in UTF-8, said so", "active", "1", shaped("application/json;charset=UTF-8",
                        null, "{}"), true),
                Arguments.of("a consumer that never claimed", "unknown", "1", noBody, true),
                Arguments.of("an epoch never claimed", "active", "2", noBody, true),
                Arguments.of("a released claim", "released", "1", noBody, true),
                Arguments.of("an epoch that is not a number", "active", "one", noBody, true),
                Arguments.of("an epoch over 2^63 - 1", "active", "9223372036854775808", noBody, true),
                Arguments.of("malformed JSON", "active", "1", postJson("{\"reported_at\": "), false),
                Arguments.of("reported_at not a time", "active", "1",
                        postJson("{\"reported_at\": \"yesterday\"}"), false),
                Arguments.of("reported_at a number", "active", "1", postJson("{\"reported_at\": 12}"), false),
                Arguments.of("a body that is not JSON", "active", "1", shaped("text/plain", null, "alive"), false),
                Arguments.of("an answer in JSON not accepted", "active", "1", shaped(null, "text/html", null), false));
    }

    /**
     * The direct route answers exactly as Spring MVC does: each request is sent as written and again with a matrix
     * parameter on the consumer's segment, which Spring MVC routes to the same handler and the direct route leaves to
     * it. Which of them answered is told by Spring MVC's {@link ServletRequestHandledEvent}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("heartbeatExchanges")
    void aSingleHeartbeatIsAnsweredAsSpringMvcAnswersIt(String description, String standing, String epoch,
                                                        UnaryOperator<HttpRequest.Builder> shape, boolean direct) {
        String consumer = consumer("direct");
        if (!standing.equals("unknown")) {
            assertThat(http.post(claims(TENANT), claimRequest(consumer, 1)).status()).isEqualTo(201);
        }
        if (standing.equals("released")) {
            assertThat(http.post(release(TENANT, consumer, 1), ACKED).status()).isEqualTo(200);
        }
        String plain = claims(TENANT) + "/" + consumer + "/epochs/" + epoch + "/heartbeats";
        String viaMvc = claims(TENANT) + "/" + consumer + ";via=mvc/epochs/" + epoch + "/heartbeats";

        Map<Meter.Id, Long> timedBefore = heartbeatTimers();

        Reply first = http.send(plain, shape);
        Reply second = http.send(viaMvc, shape);

        await().atMost(Duration.ofSeconds(5)).until(() -> answeredBySpringMvc.contains(viaMvc));
        // HeartbeatRouteTimer times the plain request, Spring's observation the other: both under the same tags
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(timedSince(timedBefore).values())
                .as("%s: the timers that counted the two requests", description).containsExactly(2L));
        assertThat(answeredBySpringMvc.contains(plain)).as("%s: Spring MVC answered %s", description, plain)
                .isEqualTo(!direct);
        assertThat(first.status()).as("%s: %s and %s", description, first, second).isEqualTo(second.status());
        assertThat(first.contentType()).as(description).isEqualTo(second.contentType());
        ObjectNode firstBody = (ObjectNode) first.json();
        ObjectNode secondBody = (ObjectNode) second.json();
        if (first.status() == 200) {
            assertThat(secondBody.path("heartbeat_count").asLong()).as(description)
                    .isEqualTo(firstBody.path("heartbeat_count").asLong() + 1);
            for (String changes : List.of("heartbeat_count", "last_heartbeat_at", "lease_expires_at",
                    "lease_remaining_ms", "updated_at")) {
                assertThat(firstBody.has(changes)).as("%s: %s", description, changes).isTrue();
                firstBody.remove(changes);
                secondBody.remove(changes);
            }
        } else {
            assertThat(firstBody.remove("instance").asText()).as(description).isEqualTo(plain);
            assertThat(secondBody.remove("instance").asText()).as(description).isEqualTo(viaMvc);
        }
        assertThat(firstBody).as(description).isEqualTo(secondBody);
    }

    @Test
    void aSingleHeartbeatAnsweredDirectlyIsTimedUnderItsRouteWithTheTagsSpringGivesTheOtherRoutes() {
        String consumer = consumer("direct-metric");
        assertThat(http.post(claims(TENANT), claimRequest(consumer, 1)).status()).isEqualTo(201);
        Map<Meter.Id, Long> before = heartbeatTimers();

        assertThat(http.post(heartbeats(TENANT, consumer, 1)).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(timedSince(before)).hasSize(1));
        Map.Entry<Meter.Id, Long> timed = timedSince(before).entrySet().iterator().next();
        assertThat(timed.getValue()).isEqualTo(1);
        assertThat(timed.getKey().getTags()).contains(Tag.of("error", "none"),
                Tag.of("exception", "none"), Tag.of("method", "POST"), Tag.of("outcome", "SUCCESS"),
                Tag.of("status", "200"), Tag.of("uri", DirectHeartbeatFilter.URI_TEMPLATE));
        Timer claimRoute = await().atMost(Duration.ofSeconds(5)).until(() -> ledger.getBean(MeterRegistry.class)
                .find("http.server.requests").tags("uri", "/v1/tenants/{tenant}/claims", "method", "POST").timer(),
                found -> found != null);
        assertThat(timed.getKey().getTags()).extracting(Tag::getKey)
                .containsExactlyInAnyOrderElementsOf(claimRoute.getId().getTags().stream().map(Tag::getKey).toList());
    }

    /** The body-size limit answers before any handler takes the request: Spring names no route for it. */
    @Test
    void aSingleHeartbeatRefusedBeforeAnyHandlerIsTimedAsSpringTimesIt() {
        String consumer = consumer("refused-metric");
        assertThat(http.post(claims(TENANT), claimRequest(consumer, 1)).status()).isEqualTo(201);
        String plain = claims(TENANT) + "/" + consumer + "/epochs/1/heartbeats";
        String viaMvc = claims(TENANT) + "/" + consumer + ";via=mvc/epochs/1/heartbeats";
        UnaryOperator<HttpRequest.Builder> oversized = postJson("{\"reported_at\":\"" + "9".repeat(70_000) + "\"}");
        Map<Meter.Id, Long> before = heartbeatTimers();

        assertThat(http.send(plain, oversized).status()).isEqualTo(413);
        assertThat(http.send(viaMvc, oversized).status()).isEqualTo(413);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(timedSince(before).values())
                .as("the timers that counted the two requests").containsExactly(2L));
        assertThat(timedSince(before).keySet().iterator().next().getTags())
                .contains(Tag.of("status", "413"), Tag.of("uri", "UNKNOWN"), Tag.of("outcome", "CLIENT_ERROR"));
    }

    /**
     * How often each HTTP timer a single heartbeat can be counted by has counted a request: the route's and those
     * Spring names when no route took a request.
     */
    private Map<Meter.Id, Long> heartbeatTimers() {
        Set<String> uris = Set.of(DirectHeartbeatFilter.URI_TEMPLATE, "UNKNOWN", "NOT_FOUND", "REDIRECTION");
        return ledger.getBean(MeterRegistry.class).find("http.server.requests").timers().stream()
                .filter(timer -> uris.contains(timer.getId().getTag("uri")))
                .collect(Collectors.toMap(Timer::getId, Timer::count));
    }

    /** The timers that counted requests since {@code before}, with how many each. */
    private Map<Meter.Id, Long> timedSince(Map<Meter.Id, Long> before) {
        Map<Meter.Id, Long> counted = new HashMap<>();
        heartbeatTimers().forEach((id, count) -> {
            long since = count - before.getOrDefault(id, 0L);
            if (since != 0) {
                counted.put(id, since);
            }
        });
        return counted;
    }

    /** A POST with these headers (left out when null) and body (none when null). */
    private static UnaryOperator<HttpRequest.Builder> shaped(String contentType, String accept, String body) {
        return request -> {
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            if (accept != null) {
                request.header("Accept", accept);
            }
            return request.POST(body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        };
    }

    // === batches of heartbeats =======================================================================================

    @Test
    void aBatchRecordsEachAcceptedHeartbeatAndAnswersEachRejectedOneInItsPlace() {
        String first = consumer("batch-first");
        String second = consumer("batch-second");
        String released = consumer("batch-released");
        String unknown = consumer("batch-unknown");
        for (String consumer : List.of(first, second, released)) {
            assertThat(http.post(claims(TENANT), claimRequest(consumer, 2)).status()).isEqualTo(201);
        }
        assertThat(http.post(release(TENANT, released, 2), ACKED).status()).isEqualTo(200);
        List<Object> releasedBefore = events(TENANT, released);

        Reply reply = http.post(heartbeatBatch(TENANT), Map.of("heartbeats", List.of(
                batched(second, 2), batched(first, 2), batched(unknown, 1), batched(first, 1), batched(released, 2),
                batched(first, 2))));

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        JsonNode results = reply.json().get("results");
        assertThat(results).hasSize(6);
        assertThat(StreamSupport.stream(results.spliterator(), false)
                .map(result -> result.get("consumer_id").asText() + "/" + result.get("status").asInt() + "/"
                        + result.path("error").path("code").asText("-")))
                .containsExactly(second + "/200/-", first + "/200/-", unknown + "/404/claim_not_found",
                        first + "/409/stale_epoch", released + "/409/claim_not_active", first + "/200/-");
        assertThat(results.get(1).get("claim").get("heartbeat_count").asLong()).isEqualTo(1);
        assertThat(results.get(5).get("claim").get("heartbeat_count").asLong()).isEqualTo(2);
        assertThat(results.get(2).has("claim")).isFalse();
        assertThat(results.get(2).get("error").get("detail").asText()).isNotBlank();
        assertThat(events(TENANT, first)).hasSize(3);
        assertThat(events(TENANT, second)).hasSize(2);
        assertThat(events(TENANT, unknown)).isEmpty();
        assertThat(events(TENANT, released)).isEqualTo(releasedBefore);
        awaitClaim(TENANT, first, 2, claim -> claim.number("heartbeat_count") == 2);
    }

    @Test
    void aHeartbeatInABatchMovesTheLeaseAsASingleHeartbeatDoes() {
        String consumer = consumer("batch-lease");
        Instant claimedAt = http.post(claims(TENANT), claimRequest(consumer, 1)).instant("claimed_at");

        JsonNode claim = http.post(heartbeatBatch(TENANT), Map.of("heartbeats", List.of(batched(consumer, 1))))
                .json().get("results").get(0).get("claim");

        Instant beat = Instant.parse(claim.get("last_heartbeat_at").asText());
        assertThat(beat).isAfterOrEqualTo(claimedAt);
        assertThat(Instant.parse(claim.get("lease_expires_at").asText())).isEqualTo(beat.plusMillis(TTL_MS));
        assertThat(events(TENANT, consumer)).hasSize(2);
    }

    static Stream<Arguments> malformedBatches() {
        return Stream.of(
                Arguments.of("no heartbeats field", "{}"),
                Arguments.of("an empty list", "{\"heartbeats\":[]}"),
                Arguments.of("a null element", "{\"heartbeats\":[null]}"),
                Arguments.of("a missing epoch", "{\"heartbeats\":[{\"consumer_id\":\"%s\",\"epoch\":1},"
                        + "{\"consumer_id\":\"%s\"}]}"),
                Arguments.of("a negative epoch", "{\"heartbeats\":[{\"consumer_id\":\"%s\",\"epoch\":1},"
                        + "{\"consumer_id\":\"%s\",\"epoch\":-1}]}"),
                Arguments.of("a missing consumer", "{\"heartbeats\":[{\"consumer_id\":\"%s\",\"epoch\":1},"
                        + "{\"epoch\":1}]}"),
                Arguments.of("an epoch as a string", "{\"heartbeats\":[{\"consumer_id\":\"%s\",\"epoch\":\"1\"}]}"),
                Arguments.of("reported_at a number", "{\"heartbeats\":[{\"consumer_id\":\"%s\",\"epoch\":1,"
                        + "\"reported_at\":12}]}"),
                Arguments.of("more than 1000 heartbeats", "{\"heartbeats\":["
                        + String.join(",", Collections.nCopies(1001, "{\"consumer_id\":\"%s\",\"epoch\":1}"))
                        + "]}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBatches")
    void aMalformedBatchIsRefusedWholeAndRecordsNothing(String description, String template) {
        String consumer = consumer("batch-malformed");
        assertThat(http.post(claims(TENANT), claimRequest(consumer, 1)).status()).isEqualTo(201);
        List<Object> before = events(TENANT, consumer);

        Reply reply = http.postRaw(heartbeatBatch(TENANT), template.replace("%s", consumer));

        assertProblem(description, reply, 400, "validation_failed");
        assertThat(events(TENANT, consumer)).as(description).isEqualTo(before);
    }

    private static Map<String, Object> batched(String consumer, long epoch) {
        return Map.of("consumer_id", consumer, "epoch", epoch);
    }

    @Test
    void aHeartbeatOnALapsedLeaseNotYetRecordedAsExpiredIsClaimExpired() {
        String consumer = consumer("lapsed-heartbeat");
        awaitLapsedButNotRecorded(consumer);

        assertRejectedLeavingNoEvent(TENANT, consumer, () -> http.post(heartbeats(TENANT, consumer, 1)), 409,
                "claim_expired");
    }

    @Test
    void aReleaseOfALapsedLeaseNotYetRecordedAsExpiredIsClaimExpired() {
        String consumer = consumer("lapsed-release");
        awaitLapsedButNotRecorded(consumer);

        assertRejectedLeavingNoEvent(TENANT, consumer,
                () -> http.post(release(TENANT, consumer, 1), ACKED), 409, "claim_expired");
    }

    @Test
    void aReleaseAfterTheExpiryWasRecordedIsClaimExpired() {
        String consumer = consumer("expired-release");
        awaitRecordedExpiry(consumer);

        assertRejectedLeavingNoEvent(TENANT, consumer,
                () -> http.post(release(TENANT, consumer, 1), ACKED), 409, "claim_expired");
    }

    /** As README.md and the aggregate's own tests state: once the expiry is recorded the claim has ended. */
    @Test
    void aHeartbeatAfterTheExpiryWasRecordedIsClaimNotActive() {
        String consumer = consumer("expired-heartbeat");
        awaitRecordedExpiry(consumer);

        assertRejectedLeavingNoEvent(TENANT, consumer, () -> http.post(heartbeats(TENANT, consumer, 1)), 409,
                "claim_not_active");
    }

    // === 6. read-your-write ==========================================================================================

    @Test
    void aHeartbeatAnswersWithTheNewLeaseEvenWhileTheReadModelLagsBehind() {
        String consumer = consumer("read-your-write");
        Reply created = http.post(claims(TENANT), claimRequest(consumer, 1));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        awaitClaim(TENANT, consumer, 1, reply -> reply.status() == 200);

        Reply beat;
        EventProcessor projection = projectionProcessor();
        projection.shutDown();
        try {
            beat = http.post(heartbeats(TENANT, consumer, 1));

            assertThat(beat.status()).as("%s", beat).isEqualTo(200);
            assertThat(beat.number("heartbeat_count")).isEqualTo(1);
            assertThat(beat.instant("lease_expires_at"))
                    .isEqualTo(beat.instant("last_heartbeat_at").plusMillis(TTL_MS))
                    .isAfter(created.instant("lease_expires_at"));
            Reply stale = http.get(claim(TENANT, consumer, 1));
            assertThat(stale.number("heartbeat_count")).as("the read model has not seen the heartbeat yet").isZero();
        } finally {
            projection.start();
        }
        JsonNode caughtUp = awaitClaim(TENANT, consumer, 1, reply -> reply.number("heartbeat_count") == 1);
        assertThat(Instant.parse(caughtUp.get("lease_expires_at").asText()))
                .isEqualTo(beat.instant("lease_expires_at"));
    }

    // === 7. listing and paging =======================================================================================

    @Test
    void pagingFollowsNextCursorThroughEveryClaimOnceInOrder() {
        String tenant = tenant("paging");
        List<String> expected = keys(awaitListing(tenant, claimsForListing(tenant)));
        assertThat(expected).hasSize(7).isSortedAccordingTo(ClaimsHttpContract::compareKeys);

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            Reply page = http.get(withQuery(claims(tenant), query("limit", 3, "cursor", cursor)));
            assertThat(page.status()).as("%s", page).isEqualTo(200);
            List<String> keys = keys(page.json().get("claims"));
            pageSizes.add(keys.size());
            seen.addAll(keys);
            cursor = page.text("next_cursor");
            assertThat(pageSizes).as("pages followed so far").hasSizeLessThanOrEqualTo(3);
        } while (cursor != null);

        assertThat(pageSizes).containsExactly(3, 3, 1);
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void theLastPageHasNoNextCursorEvenWhenItIsFull() {
        String tenant = tenant("full-last-page");
        awaitListing(tenant, claimsForListing(tenant));

        Reply first = http.get(withQuery(claims(tenant), query("limit", 4)));
        Reply last = http.get(withQuery(claims(tenant), query("limit", 3, "cursor", first.text("next_cursor"))));

        assertThat(first.text("next_cursor")).isNotNull();
        assertThat(last.json().get("claims")).hasSize(3);
        assertThat(last.json().has("next_cursor")).as("next_cursor is present, as null").isTrue();
        assertThat(last.json().get("next_cursor").isNull()).isTrue();
    }

    @Test
    void theStatusFilterListsOnlyClaimsInThatStatus() {
        String tenant = tenant("by-status");
        awaitListing(tenant, claimsForListing(tenant));

        assertThat(keys(list(tenant, query("status", "active")))).containsExactly(
                "c-a/1", "c-b/2", "c-c/1", "c-e/1", "c-f/1");
        assertThat(keys(list(tenant, query("status", "released")))).containsExactly("c-d/1");
        assertThat(keys(list(tenant, query("status", "superseded")))).containsExactly("c-b/1");
        assertThat(keys(list(tenant, query("status", "expired")))).isEmpty();
    }

    @Test
    void theRunnerFilterListsOnlyThatRunnersClaims() {
        String tenant = tenant("by-runner");
        awaitListing(tenant, claimsForListing(tenant));

        assertThat(keys(list(tenant, query("runner_id", "runner-1")))).containsExactly("c-a/1", "c-c/1", "c-e/1");
        assertThat(keys(list(tenant, query("runner_id", "runner-2", "status", "active"))))
                .containsExactly("c-b/2", "c-f/1");
        assertThat(keys(list(tenant, query("runner_id", "runner-none")))).isEmpty();
    }

    @Test
    void theEntityFilterListsOnlyClaimsOnThatEntity() {
        String tenant = tenant("by-entity");
        awaitListing(tenant, claimsForListing(tenant));

        assertThat(keys(list(tenant, query("entity_url", SHARED_ENTITY)))).containsExactly("c-a/1", "c-b/1", "c-b/2");
        assertThat(keys(list(tenant, query("entity_url", "https://example.test/entities/c-e?v=1&w=2"))))
                .containsExactly("c-e/1");
    }

    @Test
    void anotherTenantsClaimsNeverAppear() {
        String tenant = tenant("isolated");
        List<String> ours = claimsForListing(tenant);
        String other = tenant + "-other";
        Map<String, Object> theirs = claimRequest("c-a", 1);
        theirs.put("entity_url", SHARED_ENTITY);
        theirs.put("runner_id", "runner-1");
        assertThat(http.post(claims(other), theirs).status()).isEqualTo(201);
        Map<String, Object> onlyTheirs = claimRequest("c-z", 1);
        onlyTheirs.put("runner_id", "runner-1");
        assertThat(http.post(claims(other), onlyTheirs).status()).isEqualTo(201);
        awaitListing(other, List.of("c-a/1", "c-z/1"));

        assertThat(keys(awaitListing(tenant, ours))).doesNotContain("c-z/1");
        assertThat(list(tenant, query())).allSatisfy(claim ->
                assertThat(claim.get("tenant_id").asText()).isEqualTo(tenant));
        assertThat(keys(list(tenant, query("runner_id", "runner-1")))).containsExactly("c-a/1", "c-c/1", "c-e/1");
        assertThat(keys(list(tenant, query("entity_url", SHARED_ENTITY)))).containsExactly("c-a/1", "c-b/1", "c-b/2");
        assertThat(keys(list(other, query()))).containsExactly("c-a/1", "c-z/1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "501", "three"})
    void aPageSizeThatIsNotANumberFrom1To500IsValidationFailed(String limit) {
        Reply reply = http.get(withQuery(claims(TENANT), query("limit", limit)));

        assertProblem("limit=" + limit, reply, 400, "validation_failed");
    }

    Stream<String> garbageCursors() {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        return Stream.of("garbage!", "not a cursor",
                base64.encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)),
                base64.encodeToString("x:c-a".getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @MethodSource("garbageCursors")
    void aCursorTheServiceNeverGaveOutIsValidationFailed(String cursor) {
        Reply reply = http.get(withQuery(claims(TENANT), query("limit", 3, "cursor", cursor)));

        assertProblem("cursor=" + cursor, reply, 400, "validation_failed");
    }

    @Test
    void anUnknownStatusFilterIsValidationFailed() {
        Reply reply = http.get(withQuery(claims(TENANT), query("status", "sleeping")));

        assertProblem(reply, 400, "validation_failed");
    }

    // === 8. runner health ============================================================================================

    @Test
    void runnerHealthCountsOnlyThatRunnersActiveClaims() {
        String tenant = tenant("health");
        String other = tenant + "-other";
        Map<String, Object> elsewhere = claimRequest("c-x", 1);
        elsewhere.put("runner_id", "runner-1");
        assertThat(http.post(claims(other), elsewhere).status()).isEqualTo(201);
        awaitClaim(other, "c-x", 1, reply -> "runner-1".equals(reply.text("runner_id")));
        awaitListing(tenant, claimsForListing(tenant));

        Reply health = http.get(runnerHealth(tenant, "runner-1"));

        assertThat(health.status()).as("%s", health).isEqualTo(200);
        assertThat(health.text("runner_id")).isEqualTo("runner-1");
        JsonNode held = health.json().get("claims");
        assertThat(held.get("active_count").asInt()).as("c-x of the other tenant is not counted").isEqualTo(3);
        assertThat(keys(held.get("active"))).containsExactly("c-a/1", "c-c/1", "c-e/1");
        assertThat(held.get("active")).allSatisfy(claim -> {
            assertThat(claim.get("tenant_id").asText()).isEqualTo(tenant);
            assertThat(claim.get("runner_id").asText()).isEqualTo("runner-1");
            assertThat(claim.get("status").asText()).isEqualTo("active");
        });
        JsonNode second = http.get(runnerHealth(tenant, "runner-2")).json().get("claims");
        assertThat(second.get("active_count").asInt()).as("c-b/1 superseded and c-d released are not counted")
                .isEqualTo(2);
        assertThat(keys(second.get("active"))).containsExactly("c-b/2", "c-f/1");
        JsonNode idle = http.get(runnerHealth(tenant, "runner-idle")).json().get("claims");
        assertThat(idle.get("active_count").asInt()).isZero();
        assertThat(idle.get("active")).isEmpty();
    }

    @Test
    void aRunnerWhoseWorkersReportedNoTimeIsListedWithoutAClockSkew() {
        String tenant = tenant("no-skew");
        Map<String, Object> request = claimRequest("c-a", 1);
        request.put("runner_id", "runner-1");
        http.postExpecting(201, claims(tenant), request);
        awaitClaim(tenant, "c-a", 1, reply -> reply.status() == 200);

        Reply runners = http.get("/v1/tenants/" + tenant + "/runners");

        assertThat(runners.status()).as("%s", runners).isEqualTo(200);
        JsonNode runner = runners.json().path("runners").path(0);
        assertThat(runner.path("runner_id").asText()).isEqualTo("runner-1");
        assertThat(runner.path("clock_skew").isNull()).as("%s", runners).isTrue();
        assertThat(runners.json().path("next_cursor").isNull()).isTrue();
    }

    // === 9. operations ===============================================================================================

    @Test
    void anUnknownCompactionIsNotFoundNeverAMissingClaim() {
        Reply reply = http.get("/v1/admin/compactions/no-such-compaction");

        assertProblem(reply, 404, "not_found");
    }

    @Test
    void aCallerOfALedgerWithoutKeysIsToldItMayDoEverything() {
        Reply reply = http.get("/v1/whoami");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().path("open").asBoolean()).isTrue();
        assertThat(reply.json().path("name").isNull()).isTrue();
        assertThat(reply.json().path("tenants").toString()).isEqualTo("[\"*\"]");
    }

    @Test
    void theOpenApiDocumentNamesEveryOperationAndNoInternalRoute() {
        Reply docs = http.get("/v3/api-docs");

        assertThat(docs.status()).as("%s", docs).isEqualTo(200);
        assertThat(docs.contentType()).startsWith("application/json");
        JsonNode paths = docs.json().get("paths");
        assertThat(paths).as("paths of %s", docs.body()).isNotNull();
        List<String> names = new ArrayList<>();
        paths.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder(
                "/v1/tenants/{tenant}/claims",
                "/v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}",
                "/v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}/heartbeats",
                "/v1/tenants/{tenant}/heartbeats",
                "/v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}/release",
                "/v1/tenants/{tenant}/claims/changes",
                "/v1/tenants/{tenant}/runners",
                "/v1/tenants/{tenant}/runners/{runner}/health",
                "/v1/tenants/{tenant}/claims/{consumer}/history",
                "/v1/tenants/{tenant}/claims/{consumer}/epochs/{epoch}/history",
                "/v1/tenants/{tenant}/claims/{consumer}/history/verification",
                "/v1/tenants/{tenant}/audit",
                "/v1/whoami",
                "/v1/tenants",
                "/v1/projections/consumer-claims",
                "/v1/admin/audit",
                "/v1/admin/projections/consumer-claims/rebuild",
                "/v1/admin/projections/consumer-claims/rebuilds/{id}",
                "/v1/admin/compactions",
                "/v1/admin/compactions/{id}",
                "/v1/admin/ledger/checkpoint",
                "/v1/admin/ledger/public-key",
                "/v1/admin/ledger/proofs/consistency",
                "/v1/admin/ledger/proofs/inclusion");
    }

    @Test
    void everyOperationOfTheOpenApiDocumentDeclaresItsErrorsAsProblemsWithTheirCodes() {
        JsonNode document = http.get("/v3/api-docs").json();

        List<String> operations = new ArrayList<>();
        document.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(method -> {
            JsonNode operation = method.getValue();
            String name = method.getKey() + " " + path.getKey();
            operations.add(name);
            assertThat(operation.path("operationId").asText()).as(name).isNotBlank();
            assertThat(operation.path("summary").asText()).as(name).isNotBlank();
            assertThat(operation.path("responses").has("400")).as(name).isTrue();
            operation.path("responses").fields().forEachRemaining(response -> {
                if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                    String reference = response.getValue().at("/content/application~1problem+json/schema/$ref")
                            .asText();
                    JsonNode schema = document.at("/components/schemas/"
                            + reference.substring(reference.lastIndexOf('/') + 1));
                    assertThat(schema.at("/properties/code/enum")).as("%s %s", name, response.getKey()).isNotEmpty();
                }
            });
        }));
        assertThat(operations).hasSize(25);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator/health/liveness", "/actuator/health/readiness"})
    void theProbesAreUp(String probe) {
        Reply reply = http.get(probe);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.text("status")).isEqualTo("UP");
    }

    @Test
    void thePrometheusEndpointAnswersWithText() {
        Reply reply = http.get("/actuator/prometheus");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("text/plain");
        assertThat(reply.body()).contains("# TYPE").contains("application=\"claims-ledger\"");
    }

    // === 10. every claim the API accepts can be reached at all its URLs =============================================

    /**
     * Ids with characters that are special somewhere in a URL, or in a client's or a server's handling of one: each
     * must work in every position of every URL.
     */
    private static final List<String> IDS_THAT_NAME_A_CLAIM = List.of("/", "a/b", "//", "%", "%25", "a%2Fb", "%2e",
            "%2e%2e", ";", "a;b=c", "?", "#", "&=", "+", ":@$!*(,~", "[x]{x}|^`\"'<>", "...", ".a", "./a", "../a",
            "a/..", " a b ", "é", "日本", "😀", "\u00a0\ufeff\u200b\u202e", "null", "-1", "x".repeat(512),
            "é".repeat(256), "😀".repeat(128));

    @Test
    void aClaimOfAnyConsumerIdTheLedgerAcceptsIsReachableAtEachOfItsUrls() {
        String tenant = tenant("reachable-consumers");

        assertReachableAtEachOfTheirUrls(IDS_THAT_NAME_A_CLAIM.stream().map(id -> new Key(tenant, id, 1)).toList());
    }

    @Test
    void aClaimOfAnyTenantIdTheLedgerAcceptsIsReachableAtEachOfItsUrls() {
        String consumer = consumer("reachable-tenants");

        assertReachableAtEachOfTheirUrls(IDS_THAT_NAME_A_CLAIM.stream().map(id -> new Key(id, consumer, 1)).toList());
    }

    @Test
    void aClaimOfAnyEpochTheLedgerAcceptsIsReachableAtEachOfItsUrls() {
        String tenant = tenant("reachable-epochs");

        assertReachableAtEachOfTheirUrls(Stream.of(999_999_999_999_999_999L, 1_000_000_000_000_000_000L,
                Long.MAX_VALUE).map(epoch -> new Key(tenant, consumer("epoch"), epoch)).toList());
    }

    @Test
    void theClaimsOfAnyRunnerIdTheLedgerAcceptsAreReachableAtItsHealth() {
        String tenant = tenant("reachable-runners");
        for (int index = 0; index < IDS_THAT_NAME_A_CLAIM.size(); index++) {
            Map<String, Object> request = claimRequest("c-" + index, 1);
            request.put("runner_id", IDS_THAT_NAME_A_CLAIM.get(index));
            http.postExpecting(201, claims(tenant), request);
        }
        awaitClaim(tenant, "c-" + (IDS_THAT_NAME_A_CLAIM.size() - 1), 1, reply -> reply.status() == 200);

        SoftAssertions softly = new SoftAssertions();
        for (int index = 0; index < IDS_THAT_NAME_A_CLAIM.size(); index++) {
            String runner = IDS_THAT_NAME_A_CLAIM.get(index);
            Reply health = http.get(runnerHealth(tenant, runner));
            softly.assertThat(health.status()).as("runner [%s]: %s", runner, health).isEqualTo(200);
            softly.assertThat(health.text("runner_id")).as("runner [%s]", runner).isEqualTo(runner);
            softly.assertThat(keys(health.json().path("claims").path("active"))).as("runner [%s]", runner)
                    .containsExactly("c-" + index + "/1");
        }
        softly.assertAll();
    }

    @Test
    void anEpochOver2To63Minus1InAPathIsValidationFailed() {
        Reply reply = http.post(claims(TENANT) + "/" + consumer("overflow") + "/epochs/9223372036854775808/heartbeats");

        assertProblem(reply, 400, "validation_failed");
    }

    static Stream<Arguments> idsNoUrlCanReach() {
        List<Arguments> cases = new ArrayList<>();
        for (String id : List.of(".", "..", "\\", "a\\b", "\\..\\")) {
            for (String position : List.of("consumer_id", "tenant_id", "runner_id")) {
                cases.add(Arguments.of(position, id));
            }
        }
        return cases.stream();
    }

    /**
     * HTTP clients resolve the path segments {@code .} and {@code ..} away, and Tomcat refuses an encoded backslash in
     * a path: a claim with such an id could not be reached at its URL, so it is refused when it is made.
     */
    @ParameterizedTest(name = "{0} [{1}]")
    @MethodSource("idsNoUrlCanReach")
    void aClaimWithAnIdNoUrlCanReachIsRefusedAsValidationFailedAndRecordsNothing(String position, String id) {
        String tenant = position.equals("tenant_id") ? id : tenant("unreachable");
        String consumer = position.equals("consumer_id") ? id : consumer("unreachable");
        Map<String, Object> request = claimRequest(consumer, 1);
        if (position.equals("runner_id")) {
            request.put("runner_id", id);
        }

        assertRejectedLeavingNoEvent(position + " " + id, tenant, consumer,
                () -> http.post(claims(tenant), request), 400, "validation_failed");
    }

    private record Key(String tenant, String consumer, long epoch) {
    }

    /**
     * Makes the claims, then uses each at its Location as a client resolves it, and at the URLs a client builds from
     * its ids: a heartbeat, its epoch's and its consumer's history, a read and its release.
     */
    private void assertReachableAtEachOfTheirUrls(List<Key> keys) {
        Map<Key, String> locations = new LinkedHashMap<>();
        for (Key key : keys) {
            Reply created = http.postExpecting(201, claims(key.tenant()), claimRequest(key.consumer(), key.epoch()));
            locations.put(key, URI.create(http.baseUrl() + "/").resolve(created.location()).toString());
        }
        SoftAssertions softly = new SoftAssertions();
        locations.forEach((key, location) -> {
            softly.assertThat(URI.create(location).getRawPath()).as("the Location of %s as a client resolves it", key)
                    .isEqualTo(claim(key.tenant(), key.consumer(), key.epoch()));
            Reply beat = http.post(location + "/heartbeats");
            Reply epochHistory = http.get(location + "/history");
            Reply consumerHistory = http.get(LedgerHttp.history(key.tenant(), key.consumer()));
            for (Reply reply : List.of(beat, epochHistory, consumerHistory)) {
                softly.assertThat(reply.status()).as("%s: %s", key, reply).isEqualTo(200);
            }
            softly.assertThat(beat.number("heartbeat_count")).as("%s", key).isEqualTo(1);
            softly.assertThat(epochHistory.json().path("events")).as("%s", key).hasSize(2);
            softly.assertThat(consumerHistory.json().path("events")).as("%s", key).hasSize(2);
        });
        locations.forEach((key, location) -> {
            Reply[] read = new Reply[1];
            poll(Duration.ofSeconds(10)).until(() -> (read[0] = http.get(location)).status() == 200);
            Reply released = http.post(location + "/release", ACKED);
            softly.assertThat(read[0].text("tenant_id")).as("%s", key).isEqualTo(key.tenant());
            softly.assertThat(read[0].text("consumer_id")).as("%s", key).isEqualTo(key.consumer());
            softly.assertThat(read[0].number("epoch")).as("%s", key).isEqualTo(key.epoch());
            softly.assertThat(released.status()).as("%s: %s", key, released).isEqualTo(200);
            softly.assertThat(released.text("status")).as("%s", key).isEqualTo("released");
        });
        softly.assertAll();
    }

    // === helpers =====================================================================================================

    /**
     * Seven claims of one tenant, made over HTTP: {@code c-a/1} (runner-1), {@code c-b/1} superseded by
     * {@code c-b/2} (runner-2), {@code c-c/1} (runner-1), {@code c-d/1} released (runner-2), {@code c-e/1}
     * (runner-1), {@code c-f/1} (runner-2). {@code c-a} and {@code c-b} work on {@link #SHARED_ENTITY}.
     *
     * @return the claims' keys ({@code consumer/epoch}) in the order the listing gives them
     */
    private List<String> claimsForListing(String tenant) {
        record Seed(String consumer, long epoch, String runner, String entity) {
        }
        List<Seed> seeds = List.of(
                new Seed("c-e", 1, "runner-1", "https://example.test/entities/c-e?v=1&w=2"),
                new Seed("c-b", 1, "runner-2", SHARED_ENTITY),
                new Seed("c-a", 1, "runner-1", SHARED_ENTITY),
                new Seed("c-f", 1, "runner-2", "https://example.test/entities/c-f"),
                new Seed("c-c", 1, "runner-1", "https://example.test/entities/c-c"),
                new Seed("c-d", 1, "runner-2", "https://example.test/entities/c-d"),
                new Seed("c-b", 2, "runner-2", SHARED_ENTITY));
        for (Seed seed : seeds) {
            Map<String, Object> request = claimRequest(seed.consumer(), seed.epoch());
            request.put("runner_id", seed.runner());
            request.put("entity_url", seed.entity());
            Reply created = http.post(claims(tenant), request);
            assertThat(created.status()).as("%s", created).isEqualTo(201);
        }
        Reply released = http.post(release(tenant, "c-d", 1), ACKED);
        assertThat(released.status()).as("%s", released).isEqualTo(200);
        return List.of("c-a/1", "c-b/1", "c-b/2", "c-c/1", "c-d/1", "c-e/1", "c-f/1");
    }

    /** Waits until the read model lists exactly {@code expected} for the tenant, with every event applied. */
    private JsonNode awaitListing(String tenant, List<String> expected) {
        JsonNode[] listed = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode claims = list(tenant, query("limit", 500));
            assertThat(keys(claims)).containsExactlyElementsOf(expected);
            for (JsonNode claim : claims) {
                String key = key(claim);
                String status = claim.get("status").asText();
                assertThat(status).as(key).isEqualTo(switch (key) {
                    case "c-b/1" -> "superseded";
                    case "c-d/1" -> "released";
                    default -> "active";
                });
            }
            listed[0] = claims;
        });
        return listed[0];
    }

    private JsonNode list(String tenant, Map<String, Object> parameters) {
        Reply reply = http.get(withQuery(claims(tenant), parameters));
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        JsonNode claims = reply.json().get("claims");
        assertThat(claims).as("claims of %s", reply).isNotNull();
        return claims;
    }

    private static List<String> keys(JsonNode claims) {
        return StreamSupport.stream(claims.spliterator(), false).map(ClaimsHttpContract::key).toList();
    }

    private static String key(JsonNode claim) {
        return claim.get("consumer_id").asText() + "/" + claim.get("epoch").asLong();
    }

    private static int compareKeys(String left, String right) {
        String[] l = left.split("/");
        String[] r = right.split("/");
        int byConsumer = l[0].compareTo(r[0]);
        return byConsumer != 0 ? byConsumer : Long.compare(Long.parseLong(l[1]), Long.parseLong(r[1]));
    }

    private Map<String, Object> claimRequest(String consumer, long epoch) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("consumer_id", consumer);
        request.put("epoch", epoch);
        request.put("entity_url", "https://example.test/entities/" + consumer.substring(0, Math.min(40,
                consumer.length())));
        request.put("stream_path", "/streams/work-" + epoch);
        request.put("wake_id", "wake-" + epoch);
        request.put("runner_id", "runner-a");
        request.put("lease_ttl_ms", TTL_MS);
        request.put("lease_policy", "renew_on_heartbeat");
        return request;
    }

    private interface BodyChange {
        void apply(Map<String, Object> body);
    }

    private Arguments invalid(String description, String tenant, String name, BodyChange change) {
        String consumer = consumer(name);
        Map<String, Object> body = claimRequest(consumer, 1);
        change.apply(body);
        return Arguments.of(description, tenant, consumer, LedgerHttp.write(body));
    }

    /** A consumer id no other test (nor an earlier run on the same database) uses. */
    private static String consumer(String name) {
        return name + "-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String tenant(String name) {
        return consumer(name);
    }

    private List<Object> events(String tenant, String consumer) {
        return Ledger.payloads(ledger, ConsumerRef.streamId(tenant, consumer));
    }

    private static void assertProblem(Reply reply, int status, String code) {
        assertProblem("", reply, status, code);
    }

    /** {@code context} names the case in failure messages (surefire shows parameterized tests by index only). */
    private static void assertProblem(String context, Reply reply, int status, String code) {
        String answer = context + (context.isEmpty() ? "" : ": ") + reply;
        assertThat(reply.status()).as(answer).isEqualTo(status);
        assertThat(reply.contentType()).as(answer).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.path("code").asText()).as(answer).isEqualTo(code);
        assertThat(problem.path("status").isInt()).as(answer).isTrue();
        assertThat(problem.path("status").asInt()).as(answer).isEqualTo(status);
        assertThat(problem.path("detail").asText()).as(answer).isNotBlank();
    }

    private void assertRejectedLeavingNoEvent(String tenant, String consumer, Supplier<Reply> command, int status,
                                              String code) {
        assertRejectedLeavingNoEvent("", tenant, consumer, command, status, code);
    }

    /** Sends a command that must be rejected, and checks the rejection and that the consumer's stream is unchanged. */
    private void assertRejectedLeavingNoEvent(String context, String tenant, String consumer, Supplier<Reply> command,
                                              int status, String code) {
        List<Object> before = events(tenant, consumer);

        Reply reply = command.get();

        assertProblem(context, reply, status, code);
        assertThat(events(tenant, consumer)).as("%s: the events of %s after the rejected command", context, consumer)
                .isEqualTo(before);
    }

    private JsonNode awaitClaim(String tenant, String consumer, long epoch,
                                Predicate<Reply> condition) {
        return awaitClaim(tenant, consumer, epoch, Duration.ofSeconds(10), condition);
    }

    /** Polls the read model until the claim satisfies {@code condition}; returns its JSON then. */
    private JsonNode awaitClaim(String tenant, String consumer, long epoch, Duration atMost,
                                Predicate<Reply> condition) {
        Reply[] last = new Reply[1];
        poll(atMost).until(() -> {
            last[0] = http.get(claim(tenant, consumer, epoch));
            return last[0].status() == 200 && condition.test(last[0]);
        });
        assertThat(last[0].contentType()).startsWith("application/json");
        return last[0].json();
    }

    private static ConditionFactory poll(Duration atMost) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptions();
    }

    /** Claims with a 1 s lease and waits, by the shared clock, until that lease has run out. */
    private Instant claimAndLetTheLeaseRunOut(String consumer) {
        return claimAndLetTheLeaseRunOut(consumer, false);
    }

    /**
     * @param watchdogLate whether the claim's lease watchdog is moved an hour past the lease's end, as if it were late:
     *                     the moment between a lease's end and its expiry being recorded, held open so that it can be
     *                     tested without a race
     */
    private Instant claimAndLetTheLeaseRunOut(String consumer, boolean watchdogLate) {
        Map<String, Object> request = claimRequest(consumer, 1);
        request.put("lease_ttl_ms", SHORT_TTL_MS);
        Reply created = http.post(claims(TENANT), request);
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        Instant leaseEnd = created.instant("lease_expires_at");
        if (watchdogLate) {
            assertThat(new JdbcTemplate(ledger.getBean(DataSource.class)).update("UPDATE lease_deadlines"
                    + " SET due_at = ? WHERE stream_id = ?", leaseEnd.plus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC),
                    ConsumerRef.streamId(TENANT, consumer))).as("the claim's watchdog, moved").isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> Instant.now().isAfter(leaseEnd.plusMillis(50)));
        return leaseEnd;
    }

    private void awaitLapsedButNotRecorded(String consumer) {
        claimAndLetTheLeaseRunOut(consumer, true);
        assertThat(events(TENANT, consumer)).as("the late watchdog has not recorded the expiry")
                .singleElement().isInstanceOf(ClaimMaterialized.class);
    }

    private void awaitRecordedExpiry(String consumer) {
        claimAndLetTheLeaseRunOut(consumer);
        poll(Duration.ofSeconds(10)).until(() ->
                events(TENANT, consumer).stream().anyMatch(ClaimLeaseExpired.class::isInstance));
    }

    private EventProcessor projectionProcessor() {
        return ledger.getBean(Configuration.class).eventProcessingConfiguration()
                .eventProcessor(ConsumerClaimsProjection.PROCESSING_GROUP)
                .orElseThrow(() -> new IllegalStateException("no " + ConsumerClaimsProjection.PROCESSING_GROUP
                        + " processor"));
    }

    private static ObjectNode withoutRemaining(JsonNode claim) {
        ObjectNode copy = claim.deepCopy();
        copy.remove("lease_remaining_ms");
        return copy;
    }
}
