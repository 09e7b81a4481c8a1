package dev.claimsledger.server.ops;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless chromium, driven through Debian's chromedriver. Both paths are given, so Selenium Manager never
 * runs and nothing is downloaded; a fresh profile directory per browser keeps runs apart.
 */
final class Browser implements AutoCloseable {

    static final File DRIVER = new File("/usr/bin/chromedriver");
    static final String BINARY = "/usr/bin/chromium";
    /** Generous: the machine may be busy with other builds. */
    static final Duration PATIENCE = Duration.ofSeconds(20);

    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private Browser(Path profile, ChromeDriverService service, ChromeDriver driver) {
        this.profile = profile;
        this.service = service;
        this.driver = driver;
    }

    static Browser start() throws IOException {
        Path profile = Files.createTempDirectory("ops-page-chromium-");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER)
                .usingAnyFreePort()
                .build();
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        ChromeOptions options = new ChromeOptions()
                .setBinary(BINARY)
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--window-size=1400,1100", "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", logs);
        return new Browser(profile, service, new ChromeDriver(service, options));
    }

    WebDriver driver() {
        return driver;
    }

    /** Opens {@code url} in a fresh state: no key or tenant remembered from an earlier test. */
    void open(String url) {
        // the storage is cleared on a page of the same origin that runs none of the page's scripts: on the page
        // itself, a request of the previous test's key still on its way could remember a tenant after the clear
        driver.get(URI.create(url).resolve("/actuator/health/liveness").toString());
        script("sessionStorage.clear()");
        driver.get(url);
    }

    /** Enters a key in the page's key form. */
    void enterKey(String key) {
        WebElement input = visible(By.id("key-input"));
        input.clear();
        input.sendKeys(key);
        driver.findElement(By.cssSelector("#key-form button[type=submit]")).click();
    }

    /** Enters a key and waits for the page to show the claims. */
    void signIn(String key) {
        enterKey(key);
        visible(By.id("claims-panel"));
    }

    /** Shows another tenant's claims. */
    void showTenant(String tenant) {
        WebElement input = visible(By.id("tenant"));
        input.clear();
        input.sendKeys(tenant);
        driver.findElement(By.cssSelector("#filters button[type=submit]")).click();
    }

    WebElement visible(By locator) {
        return until(driver -> {
            List<WebElement> found = driver.findElements(locator);
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        }, "visible " + locator);
    }

    <T> T until(Function<WebDriver, T> condition, String what) {
        return new WebDriverWait(driver, PATIENCE)
                .withMessage("waiting for " + what)
                .pollingEvery(Duration.ofMillis(100))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition::apply);
    }

    Object script(String javascript, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(javascript, arguments);
    }

    byte[] screenshot() {
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    /** The page's console messages since the last call. */
    List<String> console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::toString)
                .toList();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteProfile();
        }
    }

    private void deleteProfile() {
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
