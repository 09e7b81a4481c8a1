package dev.claimsledger.server.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Decides whether a {@link RequiresPostgres} test runs; see there.
 */
class PostgresAvailableCondition implements ExecutionCondition {

    private static volatile String unreachableBecause;
    private static volatile boolean probed;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String problem = probe();
        if (problem == null) {
            return ConditionEvaluationResult.enabled("PostgreSQL reachable at " + TestDatabase.postgresUrl());
        }
        String message = "PostgreSQL at " + TestDatabase.postgresUrl() + " is unreachable (" + problem + ")";
        if ("true".equalsIgnoreCase(System.getenv("CLAIMS_REQUIRE_POSTGRES"))) {
            throw new IllegalStateException(message + " and CLAIMS_REQUIRE_POSTGRES=true");
        }
        System.err.println("""

                ############################################################################
                ##  SKIPPING POSTGRESQL TESTS: %s
                ##  Set %s (and CLAIMS_TEST_DB_USER / CLAIMS_TEST_DB_PASSWORD) to run them.
                ############################################################################
                """.formatted(message, TestDatabase.URL_VARIABLE));
        return ConditionEvaluationResult.disabled(message);
    }

    private static synchronized String probe() {
        if (!probed) {
            try (Connection ignored = DriverManager.getConnection(TestDatabase.postgresUrl(),
                    TestDatabase.postgresUser(), TestDatabase.postgresPassword())) {
                unreachableBecause = null;
            } catch (SQLException e) {
                unreachableBecause = e.getMessage();
            }
            probed = true;
        }
        return unreachableBecause;
    }
}
