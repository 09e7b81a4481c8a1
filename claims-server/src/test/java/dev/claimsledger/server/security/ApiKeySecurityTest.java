package dev.claimsledger.server.security;

import static dev.claimsledger.server.support.LedgerHttp.claim;
import static dev.claimsledger.server.support.LedgerHttp.claims;
import static dev.claimsledger.server.support.LedgerHttp.heartbeatBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * API keys as a caller meets them (README, Security): the whole ledger on a free port of 127.0.0.1 with a keys file,
 * real HTTP. 401 {@code unauthenticated} without a known key, 403 {@code forbidden} without the scope or the tenant,
 * or, for what spans every tenant (everything under {@code /v1/admin} and the actuator but health), without a key for
 * every tenant; each scope working where it should, health public, no event from a refused call, and no key in the
 * logs.
 *
 * <p>Every key is random, so that finding its text in the captured output can only mean it was logged. Logging of the
 * ledger and of Spring MVC is turned up to show that even a verbose log keeps keys out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ApiKeySecurityTest {

    private static final String TENANT = "acme";
    private static final String OTHER_TENANT = "globex";

    private static final String WRITER = secret("writer");
    private static final String READER = secret("reader");
    private static final String AUDITOR = secret("auditor");
    private static final String ADMIN = secret("admin");
    private static final String EVERY_TENANT = secret("every-tenant");
    private static final String EVERY_TENANT_AUDITOR = secret("every-tenant-auditor");
    private static final String EVERY_TENANT_ADMIN = secret("every-tenant-admin");
    /** Presented, never configured. */
    private static final String UNKNOWN = secret("unknown");
    private static final List<String> ALL_KEYS = List.of(WRITER, READER, AUDITOR, ADMIN, EVERY_TENANT,
            EVERY_TENANT_AUDITOR, EVERY_TENANT_ADMIN, UNKNOWN);

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @TempDir
    static Path directory;

    private ConfigurableApplicationContext ledger;
    private Calls http;
    /** A claim of {@link #TENANT} made before the tests, so that reads and history have something to find. */
    private String seeded;

    @BeforeAll
    void startLedgerWithKeys() throws IOException {
        Path keysFile = directory.resolve("api-keys.yaml");
        Files.writeString(keysFile, """
                - name: the-writer
                  sha256: %s
                  scopes: [claims:write]
                  tenants: [acme]
                - name: the-reader
                  sha256: %s
                  scopes: [claims:read]
                  tenants: [acme]
                - name: the-auditor
                  sha256: %s
                  scopes: [claims:audit]
                  tenants: [acme]
                - name: the-admin
                  sha256: %s
                  scopes: [claims:admin]
                  tenants: [acme]
                - name: the-fleet
                  sha256: %s
                  scopes: [claims:write, claims:read]
                  tenants: ["*"]
                - name: the-chief-auditor
                  sha256: %s
                  scopes: [claims:audit]
                  tenants: ["*"]
                - name: the-operator
                  sha256: %s
                  scopes: [claims:admin]
                  tenants: ["*"]
                """.formatted(ApiKeys.sha256Hex(WRITER), ApiKeys.sha256Hex(READER), ApiKeys.sha256Hex(AUDITOR),
                ApiKeys.sha256Hex(ADMIN), ApiKeys.sha256Hex(EVERY_TENANT), ApiKeys.sha256Hex(EVERY_TENANT_AUDITOR),
                ApiKeys.sha256Hex(EVERY_TENANT_ADMIN)), StandardCharsets.UTF_8);
        Map<String, Object> properties = new HashMap<>();
        properties.put("claims.security.api-keys-file", keysFile.toString());
        properties.put("logging.level.dev.claimsledger", "TRACE");
        properties.put("logging.level.org.springframework.web", "DEBUG");
        ledger = Ledger.startWithHttp(TestDatabase.freshH2(directory.resolve("data")), properties);
        http = new Calls(Ledger.baseUrl(ledger));
        seeded = consumer("seeded");
        Reply seed = http.post(claims(TENANT), EVERY_TENANT, Calls.claimBody(seeded, 1));
        assertThat(seed.status()).as("%s", seed).isEqualTo(201);
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    /** Whatever a test did, with whichever key, the captured output holds none of the keys. */
    @AfterEach
    void noKeyAppearsInTheLogs(CapturedOutput output) {
        for (String key : ALL_KEYS) {
            assertThat(output.getAll()).as("the captured output must not contain a key").doesNotContain(key);
        }
    }

    // === 401: no key, a malformed header, an unknown key ============================================================

    static Stream<Arguments> protectedCalls() {
        String claim = "/v1/tenants/acme/claims/worker-1/epochs/1";
        return Stream.of(
                Arguments.of("POST", claims(TENANT)),
                Arguments.of("POST", claim + "/heartbeats"),
                Arguments.of("POST", heartbeatBatch("acme")),
                Arguments.of("POST", claim + "/release"),
                Arguments.of("GET", claim),
                Arguments.of("GET", claims(TENANT)),
                Arguments.of("GET", "/v1/tenants/acme/runners/runner-1/health"),
                Arguments.of("GET", "/v1/tenants/acme/claims/worker-1/history"),
                Arguments.of("GET", claim + "/history"),
                Arguments.of("GET", claim + "?as_of=2026-01-31T12:00:00Z"),
                Arguments.of("GET", "/v1/tenants/acme/audit"),
                Arguments.of("GET", "/v1/admin/audit"),
                Arguments.of("POST", "/v1/admin/projections/consumer-claims/rebuild"),
                Arguments.of("GET", "/v1/admin/projections/consumer-claims/rebuilds/some-id"),
                Arguments.of("GET", "/actuator/prometheus"),
                Arguments.of("GET", "/actuator/metrics"),
                Arguments.of("GET", "/actuator/info"),
                Arguments.of("GET", "/v1/whoami"),
                Arguments.of("GET", "/v1/tenants"),
                Arguments.of("GET", "/v1/tenants/acme/runners"),
                Arguments.of("GET", "/v1/tenants/acme/claims/changes"),
                Arguments.of("GET", "/v1/tenants/acme/claims/worker-1/history/verification"),
                Arguments.of("GET", "/v1/projections/consumer-claims"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("protectedCalls")
    void aCallWithoutAuthorizationIsUnauthenticated(String method, String path) {
        long eventsBefore = eventCount();

        Reply answer = http.send(path, request -> request.method(method, body(method)).header("Content-Type",
                "application/json"));

        assertUnauthenticated(answer);
        assertThat(eventCount()).as("events after a refused call").isEqualTo(eventsBefore);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "Bearer ", "Bearer    ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer: abc",
            "Bearerabc", "Digest username=\"x\"", "abc", "Bearer a b c", "Bearer \"quoted\""})
    void aMalformedAuthorizationHeaderIsUnauthenticated(String authorization) {
        Reply answer = http.getWithAuthorization(claims(TENANT), authorization);

        assertUnauthenticated(answer);
    }

    @Test
    void aKeyWithoutTheBearerSchemeIsUnauthenticated() {
        Reply bare = http.getWithAuthorization(claims(TENANT), READER);
        Reply basic = http.getWithAuthorization(claims(TENANT), "Basic " + READER);

        assertUnauthenticated(bare);
        assertUnauthenticated(basic);
    }

    @Test
    void anUnknownKeyIsUnauthenticated() {
        Reply unknown = http.get(claims(TENANT), UNKNOWN);
        Reply storedHashPresentedAsKey = http.get(claims(TENANT), ApiKeys.sha256Hex(READER));
        Reply longerKey = http.get(claims(TENANT), READER + "x");
        Reply shorterKey = http.get(claims(TENANT), READER.substring(0, READER.length() - 1));
        Reply otherCase = http.get(claims(TENANT), READER.toUpperCase());

        for (Reply answer : List.of(unknown, storedHashPresentedAsKey, longerKey, shorterKey, otherCase)) {
            assertUnauthenticated(answer);
        }
    }

    // === 403: a missing scope ========================================================================================

    @Test
    void aReadOnlyKeyCannotMakeAClaim() {
        String consumer = consumer("read-only-writes");

        Reply answer = http.post(claims(TENANT), READER, Calls.claimBody(consumer, 1));

        assertForbidden(answer);
        assertThat(Ledger.payloads(ledger, stream(TENANT, consumer))).as("events of %s", consumer).isEmpty();
    }

    @Test
    void aReadOnlyKeyCannotHeartbeatOrReleaseAClaim() {
        Reply heartbeat = http.post(claim(TENANT, seeded, 1) + "/heartbeats", READER);
        Reply release = http.post(claim(TENANT, seeded, 1) + "/release", READER);

        Reply batch = http.post(heartbeatBatch(TENANT), READER,
                Map.of("heartbeats", List.of(Map.of("consumer_id", seeded, "epoch", 1))));

        assertForbidden(heartbeat);
        assertForbidden(release);
        assertForbidden(batch);
        assertThat(Ledger.payloads(ledger, stream(TENANT, seeded))).as("events of %s", seeded).hasSize(1);
    }

    @Test
    void aWriteKeyCannotReadHistory() {
        Reply consumerHistory = http.get(claims(TENANT) + "/" + seeded + "/history", WRITER);
        Reply epochHistory = http.get(claim(TENANT, seeded, 1) + "/history", WRITER);

        assertForbidden(consumerHistory);
        assertForbidden(epochHistory);
    }

    @Test
    void onlyTheAuditScopeVerifiesAConsumersHistory() {
        String verification = claims(TENANT) + "/" + seeded + "/history/verification";

        for (String key : List.of(WRITER, READER, ADMIN)) {
            assertForbidden(http.get(verification, key));
        }
        Reply audited = http.get(verification, AUDITOR);
        assertThat(audited.status()).as("%s", audited).isEqualTo(200);
        assertThat(audited.json().get("chain_intact").asBoolean()).isTrue();
    }

    @Test
    void anyKnownKeyMayAskWhatItMayDo() {
        for (String key : List.of(WRITER, READER, AUDITOR, ADMIN, EVERY_TENANT)) {
            Reply answer = http.get("/v1/whoami", key);
            assertThat(answer.status()).as("%s", answer).isEqualTo(200);
            assertThat(answer.json().get("open").asBoolean()).isFalse();
        }
        assertThat(http.get("/v1/whoami", ADMIN).json().get("scopes")).singleElement()
                .satisfies(scope -> assertThat(scope.asText()).isEqualTo("claims:admin"));
    }

    @Test
    void theOperatorsPageIsPublicButWhatItShowsIsNot() {
        Reply page = http.get("/ops/", null);
        Reply script = http.get("/ops/js/app.js", null);

        assertThat(page.status()).as("%s", page).isEqualTo(200);
        assertThat(script.status()).as("%s", script).isEqualTo(200);
        assertUnauthenticated(http.get(claims(TENANT), null));
    }

    @Test
    void aWriteKeyCannotReadAClaimAsOfAnInstant() {
        Reply answer = http.get(claim(TENANT, seeded, 1) + "?as_of=" + Instant.now(), WRITER);

        assertForbidden(answer);
    }

    @Test
    void aReadKeyCannotReadAClaimAsOfAnInstant() {
        Reply plain = http.get(claim(TENANT, seeded, 1) + "?as_of=" + Instant.now(), READER);
        Reply encodedName = http.get(claim(TENANT, seeded, 1) + "?as%5Fof=" + Instant.now(), READER);
        Reply amongOthers = http.get(claim(TENANT, seeded, 1) + "?x=1&as_of=" + Instant.now() + "&y", READER);

        assertForbidden(plain);
        assertForbidden(encodedName);
        assertForbidden(amongOthers);
    }

    @Test
    void aKeyWithoutTheAuditScopeCannotRunTheAudit() {
        for (String key : List.of(WRITER, READER, ADMIN)) {
            assertForbidden(http.get("/v1/admin/audit", key));
        }
    }

    @Test
    void aKeyWithoutTheAdminScopeCannotRebuildTheProjection() {
        for (String key : List.of(WRITER, READER, AUDITOR, EVERY_TENANT, EVERY_TENANT_AUDITOR)) {
            assertForbidden(http.post("/v1/admin/projections/consumer-claims/rebuild", key));
        }
    }

    @Test
    void aKeyWithoutTheAdminScopeCannotReadMetrics() {
        for (String key : List.of(WRITER, READER, AUDITOR, EVERY_TENANT, EVERY_TENANT_AUDITOR)) {
            assertForbidden(http.get("/actuator/prometheus", key));
            assertForbidden(http.get("/actuator/metrics", key));
        }
    }

    // === 403: another tenant =========================================================================================

    @Test
    void aKeyCannotActForAnotherTenant() {
        String consumer = consumer("other-tenant");

        Reply write = http.post(claims(OTHER_TENANT), WRITER, Calls.claimBody(consumer, 1));
        Reply read = http.get(claims(OTHER_TENANT), READER);
        Reply readOne = http.get(claim(OTHER_TENANT, consumer, 1), READER);
        Reply runner = http.get("/v1/tenants/globex/runners/runner-1/health", READER);
        Reply history = http.get(claims(OTHER_TENANT) + "/" + consumer + "/history", AUDITOR);
        Reply verification = http.get(claims(OTHER_TENANT) + "/" + consumer + "/history/verification", AUDITOR);
        Reply runners = http.get("/v1/tenants/globex/runners", READER);
        Reply changes = http.get("/v1/tenants/globex/claims/changes", READER);

        for (Reply answer : List.of(write, read, readOne, runner, history, verification, runners, changes)) {
            assertForbidden(answer);
        }
        assertThat(Ledger.payloads(ledger, stream(OTHER_TENANT, consumer))).isEmpty();
    }

    @Test
    void aTenantAuditorAuditsItsOwnTenantOnly() {
        Reply own = http.get("/v1/tenants/acme/audit", AUDITOR);
        Reply other = http.get("/v1/tenants/globex/audit", AUDITOR);
        Reply withoutTheAuditScope = http.get("/v1/tenants/acme/audit", READER);

        assertThat(own.status()).as("%s", own).isEqualTo(200);
        assertThat(own.json().get("clean").asBoolean()).as("%s", own).isTrue();
        assertThat(own.json().get("claims").asLong()).as("%s", own).isPositive();
        assertForbidden(other);
        assertForbidden(withoutTheAuditScope);
    }

    // === 403: an operation that spans every tenant, with a key for some ============================================

    /**
     * Each operation that reads or changes more than one tenant, with a key that has its scope but only one tenant,
     * and the same scope for every tenant.
     */
    static Stream<Arguments> operationsOnEveryTenant() {
        return Stream.of(
                Arguments.of("GET", "/v1/admin/audit", AUDITOR, EVERY_TENANT_AUDITOR),
                Arguments.of("POST", "/v1/admin/projections/consumer-claims/rebuild", ADMIN, EVERY_TENANT_ADMIN),
                Arguments.of("GET", "/v1/admin/projections/consumer-claims/rebuilds/some-id", ADMIN,
                        EVERY_TENANT_ADMIN),
                Arguments.of("GET", "/actuator/prometheus", ADMIN, EVERY_TENANT_ADMIN),
                Arguments.of("GET", "/actuator/metrics", ADMIN, EVERY_TENANT_ADMIN),
                Arguments.of("GET", "/actuator/metrics/claims.active", ADMIN, EVERY_TENANT_ADMIN),
                Arguments.of("GET", "/actuator/info", ADMIN, EVERY_TENANT_ADMIN),
                Arguments.of("POST", "/v1/admin/compactions", ADMIN, EVERY_TENANT_ADMIN),
                Arguments.of("GET", "/v1/admin/compactions/some-id", ADMIN, EVERY_TENANT_ADMIN),
                Arguments.of("GET", "/v1/admin/ledger/checkpoint", AUDITOR, EVERY_TENANT_AUDITOR),
                Arguments.of("GET", "/v1/admin/ledger/public-key", AUDITOR, EVERY_TENANT_AUDITOR),
                Arguments.of("GET", "/v1/admin/ledger/proofs/consistency?from=1&to=1", AUDITOR,
                        EVERY_TENANT_AUDITOR),
                Arguments.of("GET", "/v1/admin/ledger/proofs/inclusion?position=1&size=1", AUDITOR,
                        EVERY_TENANT_AUDITOR));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("operationsOnEveryTenant")
    void aKeyForSomeTenantsIsForbiddenWhatSpansEveryTenant(String method, String path, String tenantKey,
                                                           String everyTenantKey) {
        Reply answer = sendWithoutBody(method, path, tenantKey);

        assertForbidden(answer);
        assertThat(answer.json().get("detail").asText()).contains("every tenant").contains("[\"*\"]");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("operationsOnEveryTenant")
    void aKeyForEveryTenantWithTheScopeIsLetThrough(String method, String path, String tenantKey,
                                                    String everyTenantKey) {
        Reply answer = sendWithoutBody(method, path, everyTenantKey);

        assertThat(answer.status()).as("%s %s: %s", method, path, answer).isNotIn(401, 403);
        if (answer.status() == 202) {
            awaitRebuildDone(answer.location(), everyTenantKey);
        }
    }

    @Test
    void aTenantIsComparedExactlyNotByPrefixOrCase() {
        for (String tenant : List.of("acme2", "ACME", "acm", "acme%20", "%20acme")) {
            assertForbidden(http.get("/v1/tenants/" + tenant + "/claims", READER));
        }
    }

    @Test
    void aKeyForEveryTenantActsForAnyTenant() {
        String consumer = consumer("every-tenant");

        for (String tenant : List.of(TENANT, OTHER_TENANT, "initech-" + SEQUENCE.incrementAndGet())) {
            Reply made = http.post(claims(tenant), EVERY_TENANT, Calls.claimBody(consumer, 1));
            assertThat(made.status()).as("claim in %s: %s", tenant, made).isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(http.get(claim(tenant, consumer, 1), EVERY_TENANT).status()).isEqualTo(200));
        }
    }

    // === each scope where it should work ============================================================================

    @Test
    void theWriteScopeClaimsHeartbeatsAndReleases() {
        String consumer = consumer("writer");

        Reply made = http.post(claims(TENANT), WRITER, Calls.claimBody(consumer, 1));
        Reply heartbeat = http.post(claim(TENANT, consumer, 1) + "/heartbeats", WRITER);
        Reply released = http.post(claim(TENANT, consumer, 1) + "/release", WRITER);

        assertThat(made.status()).as("%s", made).isEqualTo(201);
        assertThat(heartbeat.status()).as("%s", heartbeat).isEqualTo(200);
        assertThat(released.status()).as("%s", released).isEqualTo(200);
        assertThat(released.json().get("status").asText()).isEqualTo("released");
        assertThat(Ledger.payloads(ledger, stream(TENANT, consumer))).hasSize(3);
    }

    @Test
    void theReadScopeReadsAClaimListsAndRunnerHealth() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Reply one = http.get(claim(TENANT, seeded, 1), READER);
            assertThat(one.status()).as("%s", one).isEqualTo(200);
            assertThat(one.json().get("consumer_id").asText()).isEqualTo(seeded);
        });
        Reply list = http.get(claims(TENANT) + "?limit=500", READER);
        Reply runner = http.get("/v1/tenants/acme/runners/runner-1/health", READER);

        assertThat(list.status()).as("%s", list).isEqualTo(200);
        assertThat(list.json().get("claims").isArray()).isTrue();
        assertThat(runner.status()).as("%s", runner).isEqualTo(200);
        assertThat(runner.json().get("runner_id").asText()).isEqualTo("runner-1");
    }

    @Test
    void theAuditScopeReadsHistoryAClaimAsOfAnInstantAndTheAudit() {
        Reply consumerHistory = http.get(claims(TENANT) + "/" + seeded + "/history", AUDITOR);
        Reply epochHistory = http.get(claim(TENANT, seeded, 1) + "/history", AUDITOR);
        Reply asOf = http.get(claim(TENANT, seeded, 1) + "?as_of=" + Instant.now(), AUDITOR);
        Reply audit = http.get("/v1/admin/audit", EVERY_TENANT_AUDITOR);

        assertThat(consumerHistory.status()).as("%s", consumerHistory).isEqualTo(200);
        assertThat(consumerHistory.json().get("events").get(0).get("type").asText()).contains("ClaimMaterialized");
        assertThat(epochHistory.status()).as("%s", epochHistory).isEqualTo(200);
        assertThat(asOf.status()).as("%s", asOf).isEqualTo(200);
        assertThat(asOf.json().get("consumer_id").asText()).isEqualTo(seeded);
        assertThat(audit.status()).as("%s", audit).isEqualTo(200);
    }

    @Test
    void theAdminScopeRebuildsTheProjectionAndReadsMetrics() {
        Reply rebuild = http.post("/v1/admin/projections/consumer-claims/rebuild", EVERY_TENANT_ADMIN);
        Reply prometheus = http.get("/actuator/prometheus", EVERY_TENANT_ADMIN);

        assertThat(rebuild.status()).as("%s", rebuild).isEqualTo(202);
        String progress = rebuild.header("Location");
        assertThat(progress).isNotNull();
        awaitRebuildDone(progress, EVERY_TENANT_ADMIN);
        assertThat(prometheus.status()).as("%s", prometheus).isEqualTo(200);
        assertThat(prometheus.body()).contains("claims_materialized_total");
    }

    @Test
    void healthStaysPublic() {
        for (String path : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            Reply answer = http.get(path, null);
            assertThat(answer.status()).as("%s: %s", path, answer).isEqualTo(200);
            assertThat(answer.json().get("status").asText()).isEqualTo("UP");
        }
    }

    @Test
    void healthTakesAnUnknownKeyToo() {
        Reply answer = http.get("/actuator/health", UNKNOWN);

        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
    }

    // === a refused call appends no event ============================================================================

    @Test
    void refusedCallsAppendNoEvent() {
        String consumer = consumer("refused");
        long before = eventCount();

        assertUnauthenticated(http.post(claims(TENANT), null, Calls.claimBody(consumer, 1)));
        assertUnauthenticated(http.post(claims(TENANT), UNKNOWN, Calls.claimBody(consumer, 1)));
        assertForbidden(http.post(claims(TENANT), READER, Calls.claimBody(consumer, 1)));
        assertForbidden(http.post(claims(TENANT), AUDITOR, Calls.claimBody(consumer, 1)));
        assertForbidden(http.post(claims(TENANT), ADMIN, Calls.claimBody(consumer, 1)));
        assertForbidden(http.post(claims(OTHER_TENANT), WRITER, Calls.claimBody(consumer, 1)));
        assertUnauthenticated(http.post(claim(TENANT, seeded, 1) + "/heartbeats", null));
        assertForbidden(http.post(claim(TENANT, seeded, 1) + "/release", READER));

        assertThat(eventCount()).as("events in domain_event_entry").isEqualTo(before);
        assertThat(Ledger.payloads(ledger, stream(TENANT, consumer))).isEmpty();
        assertThat(Ledger.payloads(ledger, stream(OTHER_TENANT, consumer))).isEmpty();
        assertThat(Ledger.payloads(ledger, stream(TENANT, seeded))).hasSize(1);
    }

    // === no key in the logs ==========================================================================================

    @Test
    void refusalsAreLoggedByKeyNameNeverByKey(CapturedOutput output) {
        int from = output.getAll().length();

        for (String key : ALL_KEYS) {
            http.get(claims(TENANT), key);
            http.post(claims(OTHER_TENANT), key, Calls.claimBody(consumer("logged"), 1));
            http.get("/actuator/prometheus", key);
            http.get(claim(TENANT, seeded, 1) + "?as_of=" + Instant.now(), key);
        }

        String logged = output.getAll().substring(from);
        assertThat(logged).as("a refusal names the key").contains("the-reader").contains("the-writer");
        for (String key : ALL_KEYS) {
            assertThat(logged).doesNotContain(key);
        }
    }

    // === an encoded or unusual path reaches nothing the key may not ==================================================

    static Stream<Arguments> disguisedPaths() {
        return Stream.of(
                Arguments.of("no key, /v1 with an encoded 'v'", "GET", "/%761/tenants/acme/claims", null),
                Arguments.of("no key, claim through an encoded 'v'", "POST", "/%761/tenants/acme/claims", null),
                Arguments.of("no key, a double slash before v1", "GET", "//v1/tenants/acme/claims", null),
                Arguments.of("no key, a double slash before v1", "POST", "//v1/tenants/acme/claims", null),
                Arguments.of("no key, a double slash after v1", "GET", "/v1//tenants/acme/claims", null),
                Arguments.of("no key, a path parameter on v1", "GET", "/v1;x=1/tenants/acme/claims", null),
                Arguments.of("no key, metrics through an encoded 'r'", "GET", "/actuato%72/prometheus", null),
                Arguments.of("no key, metrics from under health", "GET", "/actuator/health/../prometheus", null),
                Arguments.of("no key, metrics from under health, encoded", "GET",
                        "/actuator/health/%2e%2e/prometheus", null),
                Arguments.of("no key, metrics with a path parameter", "GET", "/actuator;x=1/prometheus", null),
                Arguments.of("read key, a claim through an encoded 'tenants'", "POST", "/v1/tenant%73/acme/claims",
                        READER),
                Arguments.of("read key, another tenant through an encoded 'tenants'", "GET",
                        "/v1/tenant%73/globex/claims", READER),
                Arguments.of("read key, another tenant behind a path parameter", "GET",
                        "/v1/tenants/acme;x=1/../globex/claims", READER),
                Arguments.of("read key, the audit through an encoded 'admin'", "GET", "/v1/%61dmin/audit", READER),
                Arguments.of("admin key, the audit through an encoded 'audit'", "GET", "/v1/admin/%61udit", ADMIN),
                Arguments.of("read key, history with a path parameter", "GET", "history;x=1", READER),
                Arguments.of("read key, history with an encoded 'y'", "GET", "histor%79", READER),
                Arguments.of("read key, epoch history with a path parameter", "GET", "epochs/1/history;x=1", READER),
                Arguments.of("write key, history with a path parameter", "GET", "history;x=1", WRITER),
                Arguments.of("read key, a verification with a path parameter", "GET", "history/verification;x=1",
                        READER),
                Arguments.of("read key, a verification with an encoded 'y'", "GET", "histor%79/verification", READER),
                Arguments.of("no key, claims from under the public page", "GET", "/ops/../v1/tenants/acme/claims",
                        null),
                Arguments.of("no key, claims from under the public page, encoded", "GET",
                        "/ops/%2e%2e/v1/tenants/acme/claims", null),
                Arguments.of("no key, a claim from under the public page", "POST", "/ops/../v1/tenants/acme/claims",
                        null),
                Arguments.of("no key, claims beside the public page", "GET", "/ops;x=1/../v1/tenants/acme/claims",
                        null));
    }

    /**
     * A path that Spring MVC maps to an endpoint must need that endpoint's key, scope and tenant, however it is
     * spelled. Refused means a 4xx that never reached the endpoint: 401, 403, or 400/404 with no endpoint behind it.
     */
    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("disguisedPaths")
    void aDisguisedPathIsNoWayPastTheKeyCheck(String description, String method, String path, String key) {
        String consumer = consumer("disguised");
        String target = path.startsWith("/") ? path : claims(TENANT) + "/" + seeded + "/" + path;
        long before = eventCount();

        Reply answer = http.send(target, request -> {
            HttpRequest.Builder shaped = request.method(method, "POST".equals(method)
                    ? HttpRequest.BodyPublishers.ofString(LedgerHttp.write(Calls.claimBody(consumer, 1)))
                    : HttpRequest.BodyPublishers.noBody()).header("Content-Type", "application/json");
            return key == null ? shaped : shaped.header("Authorization", "Bearer " + key);
        });

        assertThat(answer.status()).as("%s %s answered %s", method, target, answer).isBetween(400, 499);
        assertThat(answer.code()).as("%s %s answered %s", method, target, answer)
                .isIn("unauthenticated", "forbidden", "unsupported_request", "validation_failed");
        assertThat(eventCount()).as("events after %s %s", method, target).isEqualTo(before);
    }

    // === helpers =====================================================================================================

    private static void assertUnauthenticated(Reply answer) {
        assertThat(answer.status()).as("%s", answer).isEqualTo(401);
        assertThat(answer.contentType()).as("%s", answer).startsWith("application/problem+json");
        assertThat(answer.code()).as("%s", answer).isEqualTo("unauthenticated");
        assertThat(answer.header("WWW-Authenticate")).as("WWW-Authenticate of %s", answer).startsWith("Bearer");
    }

    private static void assertForbidden(Reply answer) {
        assertThat(answer.status()).as("%s", answer).isEqualTo(403);
        assertThat(answer.contentType()).as("%s", answer).startsWith("application/problem+json");
        JsonNode problem = answer.json();
        assertThat(problem.get("code").asText()).as("%s", answer).isEqualTo("forbidden");
        assertThat(problem.get("status").asInt()).isEqualTo(403);
    }

    private Reply sendWithoutBody(String method, String path, String key) {
        return http.send(path, request -> request.method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + key));
    }

    private void awaitRebuildDone(String progress, String key) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Reply state = http.get(progress, key);
            assertThat(state.status()).as("%s", state).isEqualTo(200);
            assertThat(state.json().get("state").asText()).isEqualTo("done");
        });
    }

    private long eventCount() {
        Long count = new JdbcTemplate(ledger.getBean(DataSource.class))
                .queryForObject("select count(*) from domain_event_entry", Long.class);
        return count == null ? 0 : count;
    }

    private static HttpRequest.BodyPublisher body(String method) {
        return "POST".equals(method)
                ? HttpRequest.BodyPublishers.ofString(LedgerHttp.write(Calls.claimBody(consumer("no-key"), 1)))
                : HttpRequest.BodyPublishers.noBody();
    }

    private static String stream(String tenant, String consumer) {
        return tenant.length() + ":" + tenant + "/" + consumer;
    }

    private static String consumer(String purpose) {
        return purpose + "-" + SEQUENCE.incrementAndGet();
    }

    private static String secret(String purpose) {
        return "test-" + purpose + "-key-" + UUID.randomUUID();
    }
}
