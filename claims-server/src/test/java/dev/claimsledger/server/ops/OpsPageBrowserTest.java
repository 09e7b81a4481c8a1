package dev.claimsledger.server.ops;

import static dev.claimsledger.server.support.LedgerHttp.claims;
import static dev.claimsledger.server.support.LedgerHttp.heartbeats;
import static dev.claimsledger.server.support.LedgerHttp.release;
import static dev.claimsledger.server.support.LedgerHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claimsledger.server.security.ApiKeys;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.RunsAlone;
import dev.claimsledger.server.support.SyntheticClaims;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The operator's page in a real headless chromium, against the whole ledger (H2, API keys, real HTTP): what an
 * operator sees and does, each test in a tenant of its own. A failed test leaves a screenshot in
 * {@code target/browser-screenshots}.
 */
@RunsAlone
@RequiresBrowser
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ScreenshotOnFailure.class)
class OpsPageBrowserTest implements ScreenshotOnFailure.WithBrowser {

    /** Every scope, every tenant: makes the claims of the tests and may run the audit and a rebuild. */
    private static final String ADMIN = "admin-" + UUID.randomUUID();
    private static final String READER = "reader-" + UUID.randomUUID();
    private static final String HOSTILE = "<img src=x onerror=\"window.__pwned=1;document.title='pwned'\">";
    private static final AtomicInteger TENANTS = new AtomicInteger();

    @TempDir
    static Path directory;

    private TestDatabase database;
    private ConfigurableApplicationContext ledger;
    private String baseUrl;
    private LedgerHttp http;
    private Browser browser;

    @BeforeAll
    void startLedgerAndBrowser() throws IOException {
        Path keys = directory.resolve("api-keys.yaml");
        Files.writeString(keys, """
                - name: operator
                  sha256: %s
                  scopes: [claims:write, claims:read, claims:audit, claims:admin]
                  tenants: ["*"]
                - name: on-call-reader
                  sha256: %s
                  scopes: [claims:read]
                  tenants: [readable]
                """.formatted(ApiKeys.sha256Hex(ADMIN), ApiKeys.sha256Hex(READER)), StandardCharsets.UTF_8);
        database = TestDatabase.freshH2(directory.resolve("data"));
        ledger = Ledger.startWithHttp(database,
                Map.of("claims.security.api-keys-file", keys.toString()));
        baseUrl = Ledger.baseUrl(ledger);
        http = new LedgerHttp(baseUrl, HttpClient.Version.HTTP_1_1, Duration.ofSeconds(5), Duration.ofSeconds(30));
        browser = Browser.start();
    }

    @AfterAll
    void stopBrowserAndLedger() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (ledger != null) {
                ledger.close();
            }
        }
    }

    @Override
    public Browser browser() {
        return browser;
    }

    /** Whatever a test did, the page broke no rule of its Content-Security-Policy and threw nothing. */
    @AfterEach
    void noPolicyViolationOrUncaughtError() {
        assertThat(browser.console()).noneMatch(line -> line.contains("Content Security Policy")
                || line.contains("Uncaught"));
    }

    @Test
    void theListShowsTheClaimsMadeThroughTheApiAndTheirChangesLive() {
        // given
        String tenant = tenant("list");
        makeClaim(tenant, "worker-a", "runner-1", 600_000);
        makeClaim(tenant, "worker-b", "runner-2", 600_000);
        makeClaim(tenant, "worker-c", "runner-1", 600_000);
        awaitReadable(tenant, "worker-c");

        // when
        openAndShow(tenant, ADMIN);

        // then
        for (String consumer : List.of("worker-a", "worker-b", "worker-c")) {
            List<String> cells = cells(row(consumer, 1));
            assertThat(cells.get(0)).isEqualTo(consumer);
            assertThat(cells.get(4)).isEqualTo("active");
            assertThat(seconds(cells.get(5))).isBetween(1.0, 600.0);
        }
        assertThat(cells(row("worker-b", 1)).get(2)).isEqualTo("runner-2");
        browser.until(driver -> runnerCells("runner-1").get(1).equals("2"), "runner-1 with 2 active claims");
        assertThat(runnerCells("runner-2").get(1)).isEqualTo("1");

        // when a claim ends while the page is open
        markPage();
        send(release(tenant, "worker-b", 1));

        // then its row says so, without a reload
        browser.until(driver -> cells(row("worker-b", 1)).get(4).equals("released"), "worker-b released");
        assertThat(cells(row("worker-b", 1)).get(5)).isEqualTo("—");
        assertNotReloaded();
    }

    @Test
    void aLeaseCountsDownToZeroAndTheRowShowsItsExpiryWithoutAReload() {
        // given the page follows the tenant
        String tenant = tenant("countdown");
        makeClaim(tenant, "first", "runner-1", 600_000);
        awaitReadable(tenant, "first");
        openAndShow(tenant, ADMIN);
        markPage();

        // when a claim with a 2 s lease is made, announced and shown
        makeClaim(tenant, "short-lived", "runner-1", 2_000);
        browser.until(driver -> driver.findElement(By.id("new-claims")).isDisplayed(), "the new claim announced");
        assertThat(browser.driver().findElement(By.id("new-claims")).getText()).startsWith("1 new claim");
        browser.driver().findElement(By.id("new-claims")).click();

        // then its lease counts down, reaches zero, and the row turns expired
        List<Double> countdown = new ArrayList<>();
        browser.until(driver -> {
            List<String> cells = cells(row("short-lived", 1));
            countdown.add(seconds(cells.get(5)));
            return cells.get(4).equals("expired");
        }, "the claim expired");
        assertThat(countdown.get(0)).isBetween(0.0, 2.0);
        assertThat(countdown).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        assertThat(countdown.get(countdown.size() - 1)).isZero();
        assertThat(cells(row("short-lived", 1)).get(5)).isEqualTo("0.0 s");
        assertThat(cells(row("first", 1)).get(4)).isEqualTo("active");
        assertNotReloaded();
    }

    @Test
    void aClaimsTimelineShowsItsEventsWithTheTimeBetweenThemTheWorkersClockAndAnIntactChain() {
        // given a claim with three heartbeats, its worker's clock 3 s ahead on the last (less the trip), then released
        String tenant = tenant("timeline");
        makeClaim(tenant, "indexer", "runner-t", 600_000);
        heartbeat(tenant, "indexer", null);
        heartbeat(tenant, "indexer", Instant.now());
        heartbeat(tenant, "indexer", Instant.now().plusSeconds(3));
        send(release(tenant, "indexer", 1));
        makeClaim(tenant, "still-running", "runner-t", 600_000);
        heartbeat(tenant, "still-running", Instant.now().plusSeconds(3));
        awaitReadable(tenant, "still-running");

        // when the operator finds it and opens it
        openAndShow(tenant, ADMIN);
        search("indexer");
        row("indexer", 1).click();

        // then
        browser.visible(By.id("claim-panel"));
        assertThat(browser.driver().findElement(By.id("claim-title")).getText()).isEqualTo("indexer · epoch 1");
        List<List<String>> timeline = browser.until(driver -> {
            List<List<String>> rows = tableRows("#timeline");
            return rows.size() == 5 ? rows : null;
        }, "five events in the timeline");
        assertThat(timeline).extracting(cells -> cells.get(1))
                .containsExactly("claimed", "heartbeat", "heartbeat", "heartbeat", "released");
        assertThat(timeline).extracting(cells -> cells.get(0)).containsExactly("0", "1", "2", "3", "4");
        assertThat(timeline.get(0).get(3)).isEmpty();
        assertThat(timeline.subList(1, 5)).allSatisfy(cells -> assertThat(cells.get(3)).startsWith("+"));
        assertThat(timeline.get(1).get(5)).isEqualTo("—");
        assertThat(timeline.get(3).get(5)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}");
        assertThat(timeline.get(3).get(6)).matches("\\+[12]\\.\\d{3} s");
        WebElement chain = browser.visible(By.id("claim-chain"));
        assertThat(chain.getText()).isEqualTo("Hash chain intact over 5 events of this consumer.");
        assertThat(browser.driver().findElements(By.cssSelector("#lease-chart circle"))).hasSize(5);
        assertThat(browser.driver().findElement(By.cssSelector("#lease-chart polyline")).getDomAttribute("points"))
                .isNotBlank();
        // and the runner's skew shows its worker's clock ahead
        assertThat(runnerCells("runner-t").get(3)).matches("\\+[12]\\.\\d{3} s");
    }

    @Test
    void searchFindsOneClaimAmongThousands() throws SQLException {
        // given 2,000 claims, written straight into the event store (through the API they took half a minute), and
        // the one sought sorting after every one of them
        String tenant = tenant("haystack");
        int hay = 2_000;
        SyntheticClaims.append(database, tenant, hay, 0);
        makeClaim(tenant, "the-needle", "runner-n", 600_000);
        // every row, the needle's too, shows its claim
        await().atMost(Duration.ofSeconds(60))
                .until(() -> SyntheticClaims.rowsCaughtUp(database, tenant, 0) == hay + 1);
        openAndShow(tenant, ADMIN);
        browser.until(driver -> tableRows("#claims").size() == 50, "the first page of 50");
        assertThat(browser.driver().findElement(By.id("page-info")).getText()).contains("more follow");
        assertThat(tableRows("#claims")).extracting(cells -> cells.get(0)).doesNotContain("the-needle");

        // when
        search("the-needle");

        // then
        browser.until(driver -> tableRows("#claims").size() == 1, "one claim found");
        assertThat(cells(row("the-needle", 1))).startsWith("the-needle", "1", "runner-n");
        assertThat(browser.driver().findElement(By.id("next-page")).isEnabled()).isFalse();
    }

    @Test
    void aHostileIdIsShownAsTextAndRunsNothing() {
        // given ids and values that would run a script if taken as markup
        String tenant = tenant("hostile");
        Reply made = post(claims(tenant), Map.of("consumer_id", HOSTILE, "epoch", 1,
                "entity_url", "<svg onload=\"window.__pwned=3\">", "stream_path", "<script>window.__pwned=4</script>",
                "runner_id", "<b onmouseover=\"window.__pwned=2\">runner</b>", "wake_id", "\"><img src=x>",
                "lease_ttl_ms", 600_000));
        assertThat(made.status()).as("%s", made).isEqualTo(201);
        heartbeat(tenant, HOSTILE, Instant.now());
        awaitReadable(tenant, HOSTILE);

        // when the list, the claim and its timeline are shown
        openAndShow(tenant, ADMIN);
        WebElement row = row(HOSTILE, 1);
        List<String> cells = cells(row);
        row.click();
        browser.until(driver -> tableRows("#timeline").size() == 2, "the timeline");

        // then every value is text, and nothing ran
        assertThat(cells.get(0)).isEqualTo(HOSTILE);
        assertThat(cells.get(2)).isEqualTo("<b onmouseover=\"window.__pwned=2\">runner</b>");
        assertThat(cells.get(3)).isEqualTo("<svg onload=\"window.__pwned=3\">");
        assertThat(browser.driver().findElement(By.id("claim-title")).getText()).isEqualTo(HOSTILE + " · epoch 1");
        assertThat(browser.driver().findElement(By.id("claim-facts")).getText())
                .contains("<script>window.__pwned=4</script>").contains("\"><img src=x>");
        assertThat(browser.script("return window.__pwned === undefined")).isEqualTo(true);
        assertThat(browser.driver().getTitle()).isEqualTo("claims-ledger operations");
        assertThat(browser.script("return document.querySelectorAll('img, b, script:not([src]), [onerror], "
                + "[onload], [onmouseover], svg svg').length")).isEqualTo(0L);
    }

    @Test
    void aReadOnlyKeySeesNoActionButtonsAndTheLedgerRefusesThemAnyway() {
        // given
        String tenant = "readable";
        makeClaim(tenant, "worker", "runner-1", 600_000);
        awaitReadable(tenant, "worker");

        // when
        browser.open(page());
        browser.signIn(READER);

        // then
        browser.until(driver -> !tableRows("#claims").isEmpty(), "the claims of the readable tenant");
        assertThat(browser.driver().findElement(By.id("tenant")).getDomProperty("value")).isEqualTo(tenant);
        assertThat(browser.driver().findElement(By.id("who-name")).getText()).isEqualTo("key \"on-call-reader\"");
        assertThat(browser.driver().findElement(By.id("run-audit")).isDisplayed()).isFalse();
        assertThat(browser.driver().findElement(By.id("run-rebuild")).isDisplayed()).isFalse();
        assertThat(browser.driver().findElement(By.id("lag")).getText()).matches("\\d+ events?");
        row("worker", 1).click();
        browser.until(driver -> driver.findElement(By.id("claim-message")).getText().contains("claims:audit"),
                "the timeline needs the audit scope");
        assertThat(withKey(READER, "GET", "/v1/admin/audit").status()).isEqualTo(403);
        assertThat(withKey(READER, "POST", "/v1/admin/projections/consumer-claims/rebuild").status()).isEqualTo(403);
    }

    @Test
    void anOperatorRunsTheAuditAndARebuildFromThePage() {
        // given
        String tenant = tenant("actions");
        makeClaim(tenant, "worker", "runner-1", 600_000);
        awaitReadable(tenant, "worker");
        openAndShow(tenant, ADMIN);

        // when
        browser.visible(By.id("run-audit")).click();

        // then
        WebElement summary = browser.visible(By.id("audit-summary"));
        browser.until(driver -> summary.getText().startsWith("Audit clean: "), "a clean audit");
        assertThat(summary.getText()).containsPattern("\\d+ claims, \\d+ events");

        // when
        browser.visible(By.id("run-rebuild")).click();

        // then
        WebElement state = browser.visible(By.id("rebuild-state"));
        browser.until(driver -> "done".equals(state.getDomAttribute("data-state")), "the rebuild done");
        assertThat(state.getText()).startsWith("Rebuild done: ");
        WebElement progress = browser.driver().findElement(By.id("rebuild-progress"));
        assertThat(progress.getDomProperty("value")).isEqualTo(progress.getDomProperty("max"));
        assertThat(cells(row("worker", 1)).get(4)).isEqualTo("active");
    }

    @Test
    void aKeyTheLedgerDoesNotKnowIsNamedAsSuchAndAnotherIsAskedFor() {
        // given
        browser.open(page());
        assertThat(browser.visible(By.id("key-message")).getText()).isEqualTo("This ledger needs an API key.");

        // when
        browser.enterKey("not-a-key-" + UUID.randomUUID());

        // then
        browser.until(driver -> driver.findElement(By.id("key-message")).getText()
                .contains("does not know this key (401 unauthenticated)"), "the key refused");
        assertThat(browser.driver().findElement(By.id("main")).isDisplayed()).isFalse();
        assertThat(browser.script("return sessionStorage.length")).isEqualTo(0L);

        // when a known key may not read the tenant typed in
        browser.signIn(READER);
        waitForTenant();
        browser.showTenant("someone-elses");

        // then
        browser.until(driver -> driver.findElement(By.id("claims-message")).getText()
                .contains("403 forbidden"), "the tenant refused");
        assertThat(browser.driver().findElement(By.id("claims-message")).getText())
                .startsWith("This key may not read the claims of tenant someone-elses");
    }

    @Test
    void thePageWorksBehindAProxyThatAddsAPathPrefix() throws IOException {
        // given the ledger served under /gateway/claims by a proxy
        String tenant = tenant("proxied");
        makeClaim(tenant, "worker", "runner-1", 600_000);
        awaitReadable(tenant, "worker");
        try (PathPrefixProxy proxy = new PathPrefixProxy("/gateway/claims", baseUrl)) {

            // when the operator opens <prefix>/ops (no slash) through it
            browser.open(proxy.url() + "/ops");
            browser.signIn(ADMIN);
            waitForTenant();
            browser.showTenant(tenant);
            browser.until(driver -> "live".equals(driver.findElement(By.id("live")).getDomAttribute("data-state")),
                    "the change stream through the proxy");

            // then the page, its calls and its change stream all go through the prefix
            assertThat(browser.driver().getCurrentUrl()).isEqualTo(proxy.url() + "/ops/");
            assertThat(cells(row("worker", 1)).get(4)).isEqualTo("active");
            makeClaim(tenant, "another", "runner-1", 600_000);
            browser.until(driver -> driver.findElement(By.id("new-claims")).isDisplayed(),
                    "the new claim announced through the proxy");
            row("worker", 1).click();
            browser.until(driver -> tableRows("#timeline").size() == 1, "the timeline through the proxy");
            browser.visible(By.id("run-rebuild")).click();
            WebElement state = browser.visible(By.id("rebuild-state"));
            browser.until(driver -> "done".equals(state.getDomAttribute("data-state")),
                    "a rebuild followed through its Location under the prefix");
        }
    }

    // --- the page ---------------------------------------------------------------------------------------------------

    private String page() {
        return baseUrl + "/ops/";
    }

    /** Opens the page, signs in and shows the tenant, with its change stream live. */
    private void openAndShow(String tenant, String key) {
        browser.open(page());
        browser.signIn(key);
        waitForTenant();
        browser.showTenant(tenant);
        browser.until(driver -> "live".equals(driver.findElement(By.id("live")).getDomAttribute("data-state")),
                "the change stream of " + tenant);
        browser.until(driver -> !tableRows("#claims").isEmpty(), "the claims of " + tenant);
    }

    /** The page picks its first tenant after signing in; typing another before that would be overwritten. */
    private void waitForTenant() {
        browser.until(driver -> !driver.findElement(By.id("tenant")).getDomProperty("value").isEmpty(),
                "a tenant chosen");
    }

    private void search(String consumer) {
        WebElement input = browser.visible(By.id("consumer-filter"));
        input.clear();
        input.sendKeys(consumer);
        browser.driver().findElement(By.id("status-filter")).sendKeys("any");
        browser.driver().findElement(By.cssSelector("#filters button[type=submit]")).click();
    }

    /** A mark on the page's window that a reload would wipe. */
    private void markPage() {
        browser.script("window.__notReloaded = true");
    }

    private void assertNotReloaded() {
        assertThat(browser.script("return window.__notReloaded === true")).isEqualTo(true);
    }

    private WebElement row(String consumer, long epoch) {
        return browser.until(driver -> driver.findElements(By.cssSelector("#claims tbody tr")).stream()
                .filter(tr -> consumer.equals(tr.getDomAttribute("data-consumer"))
                        && String.valueOf(epoch).equals(tr.getDomAttribute("data-epoch")))
                .findFirst().orElse(null), "the row of " + consumer + "#" + epoch);
    }

    private static List<String> cells(WebElement row) {
        return row.findElements(By.tagName("td")).stream().map(cell -> cell.getDomProperty("textContent")).toList();
    }

    /** The text of every cell of the table's rows, read in one script: a WebDriver call per cell took seconds. */
    @SuppressWarnings("unchecked")
    private List<List<String>> tableRows(String table) {
        List<List<Object>> rows = (List<List<Object>>) browser.script("return Array.from(document.querySelectorAll("
                + "arguments[0] + ' tbody tr'), tr => Array.from(tr.querySelectorAll('td'), td => td.textContent));",
                table);
        return rows.stream().map(row -> row.stream().map(String::valueOf).toList()).toList();
    }

    private List<String> runnerCells(String runner) {
        return browser.until(driver -> driver.findElements(By.cssSelector("#runners tbody tr")).stream()
                .filter(tr -> runner.equals(tr.getDomAttribute("data-runner")))
                .findFirst().map(OpsPageBrowserTest::cells).orElse(null), "the row of runner " + runner);
    }

    /** A countdown as the page shows it ('12.3 s', '9 min 59 s') in seconds. */
    private static double seconds(String countdown) {
        Matcher minutes = Pattern.compile("(\\d+) min (\\d+) s").matcher(countdown);
        if (minutes.matches()) {
            return Integer.parseInt(minutes.group(1)) * 60 + Integer.parseInt(minutes.group(2));
        }
        assertThat(countdown).matches("\\d+\\.\\d s");
        return Double.parseDouble(countdown.substring(0, countdown.length() - 2));
    }

    // --- the API ----------------------------------------------------------------------------------------------------

    private void makeClaim(String tenant, String consumer, String runner, long ttlMs) {
        Reply reply = post(claims(tenant), claimBody(consumer, runner, ttlMs));
        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
    }

    private static Map<String, Object> claimBody(String consumer, String runner, long ttlMs) {
        return Map.of("consumer_id", consumer, "epoch", 1, "entity_url", "https://entities.example/" + consumer,
                "stream_path", "/streams/" + consumer, "runner_id", runner, "lease_ttl_ms", ttlMs);
    }

    /** {@code count} claims through the API, 16 requests at a time. */
    private void heartbeat(String tenant, String consumer, Instant reportedAt) {
        String path = heartbeats(tenant, consumer, 1);
        Reply reply = reportedAt == null ? withKey(ADMIN, "POST", path)
                : post(path, Map.of("reported_at", reportedAt.toString()));
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
    }

    private void send(String path) {
        Reply reply = withKey(ADMIN, "POST", path);
        assertThat(reply.status()).as("POST %s: %s", path, reply).isEqualTo(200);
    }

    /** Waits until the read model has the claim, so that the page, which reads it, shows it. */
    private void awaitReadable(String tenant, String consumer) {
        await().atMost(Browser.PATIENCE).untilAsserted(() -> {
            Reply page = withKey(ADMIN, "GET", withQuery(claims(tenant), "consumer_id", consumer));
            assertThat(page.json().get("claims")).isNotEmpty();
        });
    }

    private Reply post(String path, Object body) {
        return http.send(path, request -> LedgerHttp.postJson(LedgerHttp.write(body))
                .apply(request.header("Authorization", "Bearer " + ADMIN)));
    }

    private Reply withKey(String key, String method, String path) {
        return http.send(path, request -> request.header("Authorization", "Bearer " + key)
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private static String tenant(String purpose) {
        return purpose + "-" + TENANTS.incrementAndGet();
    }
}
