package dev.claimsledger.server.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * When a browser test fails, keeps what the browser showed: {@code target/browser-screenshots/<class>.<test>.png},
 * with the page's DOM ({@code .html}) and console ({@code .log}) beside it.
 */
final class ScreenshotOnFailure implements TestWatcher {

    static final Path DIRECTORY = Path.of("target", "browser-screenshots");

    /** A test class whose browser can be photographed. */
    interface WithBrowser {
        Browser browser();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Browser browser = context.getTestInstance()
                .filter(WithBrowser.class::isInstance)
                .map(instance -> ((WithBrowser) instance).browser())
                .orElse(null);
        if (browser == null) {
            return;
        }
        String name = (context.getRequiredTestClass().getSimpleName() + "." + context.getDisplayName())
                .replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            Files.createDirectories(DIRECTORY);
            Files.write(DIRECTORY.resolve(name + ".png"), browser.screenshot());
            Files.writeString(DIRECTORY.resolve(name + ".html"), browser.driver().getPageSource(),
                    StandardCharsets.UTF_8);
            Files.write(DIRECTORY.resolve(name + ".log"), browser.console(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
