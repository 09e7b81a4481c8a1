package dev.claimsledger.server.ops;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that drives Debian's headless chromium ({@link Browser#BINARY}, {@link Browser#DRIVER}). Where either
 * is missing the test is skipped with a loud notice, unless {@code CLAIMS_REQUIRE_BROWSER=true} (as in CI), where it
 * fails.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(BrowserAvailableCondition.class)
@interface RequiresBrowser {
}
