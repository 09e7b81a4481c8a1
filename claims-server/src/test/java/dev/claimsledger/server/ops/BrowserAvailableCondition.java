package dev.claimsledger.server.ops;

import java.io.File;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Decides whether a {@link RequiresBrowser} test runs; see there.
 */
class BrowserAvailableCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        File binary = new File(Browser.BINARY);
        if (binary.canExecute() && Browser.DRIVER.canExecute()) {
            return ConditionEvaluationResult.enabled("chromium and chromedriver found");
        }
        String message = "no executable " + (binary.canExecute() ? Browser.DRIVER : binary)
                + " (Debian packages chromium and chromium-driver)";
        if ("true".equalsIgnoreCase(System.getenv("CLAIMS_REQUIRE_BROWSER"))) {
            throw new IllegalStateException(message + " and CLAIMS_REQUIRE_BROWSER=true");
        }
        System.err.println("""

                ############################################################################
                ##  SKIPPING BROWSER TESTS: %s
                ##  apt-get install chromium chromium-driver to run them.
                ############################################################################
                """.formatted(message));
        return ConditionEvaluationResult.disabled(message);
    }
}
