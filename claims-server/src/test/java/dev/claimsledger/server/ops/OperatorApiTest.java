package dev.claimsledger.server.ops;

import static dev.claimsledger.server.support.LedgerHttp.claims;
import static dev.claimsledger.server.support.LedgerHttp.heartbeats;
import static dev.claimsledger.server.support.LedgerHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.security.ApiKeys;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the operator's page asks of the API, and how the page itself is served: the whole ledger on H2 with API keys,
 * real HTTP. Each test works in tenants of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorApiTest {

    private static final String FLEET = "fleet-" + UUID.randomUUID();
    private static final String READER = "reader-" + UUID.randomUUID();
    private static final String WRITER = "writer-" + UUID.randomUUID();
    private static final AtomicInteger TENANTS = new AtomicInteger();
    private static final Duration SOON = Duration.ofSeconds(20);
    private static final List<String> PAGE_FILES = List.of("index.html", "ops.css", "js/api.js", "js/app.js",
            "js/changes.js", "js/claim.js", "js/claims.js", "js/dom.js", "js/format.js", "js/health.js",
            "js/runners.js");

    @TempDir
    static Path directory;

    private ConfigurableApplicationContext ledger;
    private LedgerHttp http;

    @BeforeAll
    void startLedger() throws IOException {
        Path keys = directory.resolve("api-keys.yaml");
        Files.writeString(keys, """
                - name: the-fleet
                  sha256: %s
                  scopes: [claims:write, claims:read, claims:audit, claims:admin]
                  tenants: ["*"]
                - name: the-reader
                  sha256: %s
                  scopes: [claims:read]
                  tenants: [zeta, alpha, mid]
                - name: the-writer
                  sha256: %s
                  scopes: [claims:write]
                  tenants: [alpha]
                """.formatted(ApiKeys.sha256Hex(FLEET), ApiKeys.sha256Hex(READER), ApiKeys.sha256Hex(WRITER)),
                StandardCharsets.UTF_8);
        ledger = Ledger.startWithHttp(TestDatabase.freshH2(directory.resolve("data")),
                Map.of("claims.security.api-keys-file", keys.toString()));
        http = new LedgerHttp(Ledger.baseUrl(ledger), HttpClient.Version.HTTP_1_1, Duration.ofSeconds(5),
                Duration.ofSeconds(30));
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    // --- who am I ---------------------------------------------------------------------------------------------------

    @Test
    void whoAmIDescribesThePresentedKeyWithItsScopesAndTenantsInOrder() {
        Reply reader = get("/v1/whoami", READER);
        Reply writer = get("/v1/whoami", WRITER);

        assertThat(reader.status()).as("%s", reader).isEqualTo(200);
        assertThat(reader.json()).isEqualTo(LedgerHttp.JSON.valueToTree(Map.of("name", "the-reader",
                "scopes", List.of("claims:read"), "tenants", List.of("alpha", "mid", "zeta"), "open", false)));
        assertThat(writer.status()).as("any known key may ask: %s", writer).isEqualTo(200);
        assertThat(writer.text("name")).isEqualTo("the-writer");
    }

    @Test
    void whoAmIWithoutAKnownKeyIsUnauthenticated() {
        get("/v1/whoami", null).assertProblem(401, "unauthenticated");
        get("/v1/whoami", "no-such-key").assertProblem(401, "unauthenticated");
    }

    // --- tenants ----------------------------------------------------------------------------------------------------

    @Test
    void aKeyForNamedTenantsListsThoseTenantsInPagesWhetherOrNotTheyHaveClaims() {
        Reply first = get(withQuery("/v1/tenants", "limit", 2), READER);
        Reply second = get(withQuery("/v1/tenants", "limit", 2, "cursor", first.text("next_cursor")), READER);

        assertThat(strings(first.json().get("tenants"))).containsExactly("alpha", "mid");
        assertThat(first.text("next_cursor")).isNotNull();
        assertThat(strings(second.json().get("tenants"))).containsExactly("zeta");
        assertThat(second.text("next_cursor")).isNull();
    }

    @Test
    void aKeyForEveryTenantListsTheTenantsThatHaveClaimsInOrder() {
        String later = "t-list-" + TENANTS.incrementAndGet() + "-b";
        String earlier = "t-list-" + TENANTS.get() + "-a";
        makeClaim(later, "worker", "runner-1");
        makeClaim(earlier, "worker", "runner-1");
        makeClaim(earlier, "worker-2", "runner-1");

        await().atMost(SOON).untilAsserted(() -> {
            List<String> tenants = allTenants();
            assertThat(tenants).isSorted().doesNotHaveDuplicates();
            assertThat(tenants).containsSubsequence(earlier, later);
        });
    }

    @Test
    void aTenantsCursorThatTheServiceDidNotGiveIsRefused() {
        get(withQuery("/v1/tenants", "cursor", "not-a-cursor"), FLEET).assertProblem(400, "validation_failed");
        get(withQuery("/v1/tenants", "limit", 0), FLEET).assertProblem(400, "validation_failed");
        get(withQuery("/v1/tenants", "limit", 501), FLEET).assertProblem(400, "validation_failed");
    }

    // --- runners ----------------------------------------------------------------------------------------------------

    @Test
    void runnersAreListedWithTheirActiveClaimsAndTheSkewOfTheirWorkersClocks() {
        // given runner-a's workers run 30 s ahead (one) and 10 s behind (another); runner-b's report no time
        String tenant = tenant();
        makeClaim(tenant, "a-1", "runner-a");
        makeClaim(tenant, "a-2", "runner-a");
        makeClaim(tenant, "a-3", "runner-a");
        makeClaim(tenant, "b-1", "runner-b");
        heartbeat(tenant, "a-1", Instant.now().plusSeconds(30));
        heartbeat(tenant, "a-2", Instant.now().minusSeconds(10));
        heartbeat(tenant, "b-1", null);
        post(LedgerHttp.release(tenant, "a-3", 1), FLEET);

        // when
        await().atMost(SOON).untilAsserted(() -> {
            Reply runners = get("/v1/tenants/" + tenant + "/runners", FLEET);

            // then
            assertThat(runners.status()).as("%s", runners).isEqualTo(200);
            JsonNode list = runners.json().get("runners");
            assertThat(list).hasSize(2);
            JsonNode a = list.get(0);
            assertThat(a.get("runner_id").asText()).isEqualTo("runner-a");
            assertThat(a.get("active_count").asLong()).isEqualTo(2);
            assertThat(a.get("last_heartbeat_at").asText()).isNotBlank();
            JsonNode skew = a.get("clock_skew");
            assertThat(skew.get("samples").asLong()).isEqualTo(2);
            assertThat(skew.get("max_ms").asLong()).isBetween(25_000L, 30_000L);
            assertThat(skew.get("min_ms").asLong()).isBetween(-15_000L, -10_000L);
            assertThat(skew.get("mean_ms").asLong()).isBetween(5_000L, 10_000L);
            JsonNode b = list.get(1);
            assertThat(b.get("runner_id").asText()).isEqualTo("runner-b");
            assertThat(b.get("active_count").asLong()).isEqualTo(1);
            assertThat(b.get("clock_skew").isNull()).isTrue();
            assertThat(runners.text("next_cursor")).isNull();
        });
    }

    @Test
    void runnersComeInPagesFollowingTheCursor() {
        String tenant = tenant();
        for (String runner : List.of("r-3", "r-1", "r-2")) {
            makeClaim(tenant, "worker-" + runner, runner);
        }

        await().atMost(SOON).untilAsserted(() -> {
            Reply first = get(withQuery("/v1/tenants/" + tenant + "/runners", "limit", 2), FLEET);
            Reply second = get(withQuery("/v1/tenants/" + tenant + "/runners", "limit", 2, "cursor",
                    first.text("next_cursor")), FLEET);

            assertThat(first.json().get("runners")).extracting(runner -> runner.get("runner_id").asText())
                    .containsExactly("r-1", "r-2");
            assertThat(second.json().get("runners")).extracting(runner -> runner.get("runner_id").asText())
                    .containsExactly("r-3");
            assertThat(second.text("next_cursor")).isNull();
        });
    }

    @Test
    void aRunnersCursorThatTheServiceDidNotGiveIsRefused() {
        String tenant = tenant();

        get(withQuery("/v1/tenants/" + tenant + "/runners", "cursor", "bm90LWEtY3Vyc29y"), FLEET)
                .assertProblem(400, "validation_failed");
        get(withQuery("/v1/tenants/" + tenant + "/runners", "limit", "x"), FLEET)
                .assertProblem(400, "validation_failed");
    }

    // --- claims of one consumer -------------------------------------------------------------------------------------

    @Test
    void theClaimsListFiltersByTheExactConsumerIdAcrossItsEpochs() {
        String tenant = tenant();
        makeClaim(tenant, "needle", "runner-1");
        makeClaim(tenant, "needle-2", "runner-1");
        makeClaim(tenant, "needl", "runner-1");
        Reply second = post(claims(tenant), FLEET, claimBody("needle", 2, "runner-1"));
        assertThat(second.status()).as("%s", second).isEqualTo(201);

        await().atMost(SOON).untilAsserted(() -> {
            Reply page = get(withQuery(claims(tenant), "consumer_id", "needle"), FLEET);

            assertThat(page.json().get("claims")).extracting(claim -> claim.get("consumer_id").asText() + "#"
                    + claim.get("epoch").asLong() + " " + claim.get("status").asText())
                    .containsExactly("needle#1 superseded", "needle#2 active");
        });
    }

    @Test
    void aConsumerIdFilterIsCheckedLikeAnId() {
        get(withQuery(claims(tenant()), "consumer_id", " "), FLEET).assertProblem(400, "validation_failed");
        get(withQuery(claims(tenant()), "consumer_id", "x".repeat(513)), FLEET)
                .assertProblem(400, "validation_failed");
    }

    // --- projection lag ---------------------------------------------------------------------------------------------

    @Test
    void theReadModelsLagIsReadWithTheReadScopeAndReachesZero() {
        makeClaim(tenant(), "worker", "runner-1");

        await().atMost(SOON).untilAsserted(() -> {
            Reply lag = get("/v1/projections/consumer-claims", READER);
            assertThat(lag.status()).as("%s", lag).isEqualTo(200);
            assertThat(lag.text("name")).isEqualTo("consumer-claims");
            assertThat(lag.number("lag_events")).isZero();
        });
        get("/v1/projections/consumer-claims", WRITER).assertProblem(403, "forbidden");
    }

    // --- the page itself --------------------------------------------------------------------------------------------

    @Test
    void opsWithoutItsSlashRedirectsRelativelySoThatAPathPrefixIsKept() {
        Reply answer = get("/ops", null);

        assertThat(answer.status()).isEqualTo(301);
        assertThat(answer.location()).isEqualTo("ops/");
    }

    @Test
    void thePageIsServedWithoutAKeyAsHtmlUnderAStrictContentSecurityPolicy() {
        Reply page = get("/ops/", null);

        assertThat(page.status()).as("%s", page).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("<title>claims-ledger operations</title>");
        assertSecurityHeaders(page);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops.css:text/css", "js/app.js:text/javascript", "js/claims.js:text/javascript",
            "index.html:text/html"})
    void theAssetsAreServedWithTheirTypesAndTheSameHeaders(String fileAndType) {
        String[] parts = fileAndType.split(":");

        Reply asset = get("/ops/" + parts[0], null);

        assertThat(asset.status()).as("%s", asset).isEqualTo(200);
        assertThat(asset.contentType()).startsWith(parts[1]);
        assertSecurityHeaders(asset);
    }

    @Test
    void nothingElseUnderOpsIsServed() {
        get("/ops/no-such-file.js", null).assertProblem(404, "unsupported_request");
        assertSecurityHeaders(get("/ops/no-such-file.js", null));
    }

    @Test
    void thePageHasNoInlineScriptOrStyleAndOnlyRelativeAddresses() {
        String html = get("/ops/", null).body();

        Matcher scripts = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(html);
        int count = 0;
        while (scripts.find()) {
            count++;
            assertThat(scripts.group(1)).contains("type=\"module\"").contains("src=\"js/");
            assertThat(scripts.group(2)).isBlank();
        }
        assertThat(count).isEqualTo(1);
        assertThat(html).doesNotContain(" style=").doesNotContain("<style").doesNotContainPattern(" on[a-z]+=");
        Matcher addresses = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
        while (addresses.find()) {
            assertThat(addresses.group(1)).as("an address in the page").doesNotStartWith("/")
                    .doesNotContain("//");
        }
    }

    @Test
    void theScriptsNeverParseDataAsMarkupNorAddressTheServerAbsolutely() {
        for (String file : PAGE_FILES.stream().filter(file -> file.endsWith(".js")).toList()) {
            String source = get("/ops/" + file, null).body();

            assertThat(source).as(file)
                    .doesNotContain("innerHTML").doesNotContain("outerHTML").doesNotContain("insertAdjacentHTML")
                    .doesNotContain("document.write").doesNotContain("eval(").doesNotContain("new Function")
                    .doesNotContain("new EventSource").doesNotContain("localStorage")
                    .doesNotContainPattern("(fetch|call)\\(['\"`]/")
                    .doesNotContainPattern("['\"`]/v1/");
        }
    }

    @Test
    void everyFileOfThePageIsServed() {
        for (String file : PAGE_FILES) {
            assertThat(get("/ops/" + file, null).status()).as(file).isEqualTo(200);
        }
    }

    // --- the OpenAPI document ---------------------------------------------------------------------------------------

    @Test
    void theOperatorEndpointsAreInTheOpenApiDocumentWithAnIdAndASummaryAndThePageIsNot() {
        JsonNode paths = get("/v3/api-docs", null).json().get("paths");

        Map<String, String> operations = Map.of(
                "/v1/whoami", "whoAmI",
                "/v1/tenants", "listTenants",
                "/v1/tenants/{tenant}/runners", "listRunners",
                "/v1/tenants/{tenant}/claims/changes", "streamClaimChanges",
                "/v1/tenants/{tenant}/claims/{consumer}/history/verification", "verifyConsumerHistory",
                "/v1/projections/consumer-claims", "getConsumerClaimsProjection");
        operations.forEach((path, operationId) -> {
            JsonNode get = paths.path(path).path("get");
            assertThat(get.path("operationId").asText()).as(path).isEqualTo(operationId);
            assertThat(get.path("summary").asText()).as(path).isNotBlank();
        });
        assertThat(paths.path("/v1/tenants/{tenant}/claims/changes").path("get").path("responses").path("200")
                .path("content").has("text/event-stream")).isTrue();
        assertThat(paths.has("/ops")).isFalse();
        assertThat(paths.has("/ops/")).isFalse();
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    private static void assertSecurityHeaders(Reply answer) {
        String policy = answer.header("Content-Security-Policy");
        assertThat(policy).as("%s", answer).isNotNull();
        assertThat(Stream.of(policy.split(";")).map(String::trim).toList()).contains("default-src 'self'",
                "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'",
                "base-uri 'none'", "form-action 'none'");
        assertThat(policy).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(answer.header("Referrer-Policy")).isEqualTo("no-referrer");
    }

    private List<String> allTenants() {
        List<String> tenants = new ArrayList<>();
        String cursor = null;
        do {
            Reply page = get(withQuery("/v1/tenants", "limit", 2, "cursor", cursor), FLEET);
            assertThat(page.status()).as("%s", page).isEqualTo(200);
            tenants.addAll(strings(page.json().get("tenants")));
            cursor = page.text("next_cursor");
        } while (cursor != null);
        return tenants;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private void makeClaim(String tenant, String consumer, String runner) {
        Reply reply = post(claims(tenant), FLEET, claimBody(consumer, 1, runner));
        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
    }

    private static Map<String, Object> claimBody(String consumer, long epoch, String runner) {
        return Map.of("consumer_id", consumer, "epoch", epoch, "entity_url", "https://example.test/" + consumer,
                "stream_path", "/streams/" + consumer, "runner_id", runner, "lease_ttl_ms", 600_000);
    }

    private void heartbeat(String tenant, String consumer, Instant reportedAt) {
        Reply reply = reportedAt == null ? post(heartbeats(tenant, consumer, 1), FLEET)
                : post(heartbeats(tenant, consumer, 1), FLEET, Map.of("reported_at", reportedAt.toString()));
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
    }

    private Reply get(String path, String key) {
        return http.send(path, request -> bearer(request, key).GET());
    }

    private Reply post(String path, String key) {
        return http.send(path, request -> LedgerHttp.postNothing(bearer(request, key)));
    }

    private Reply post(String path, String key, Object body) {
        return http.send(path, request -> LedgerHttp.postJson(LedgerHttp.write(body)).apply(bearer(request, key)));
    }

    private static HttpRequest.Builder bearer(HttpRequest.Builder request, String key) {
        return key == null ? request : request.header("Authorization", "Bearer " + key);
    }

    private static String tenant() {
        return "tenant-" + TENANTS.incrementAndGet();
    }
}
