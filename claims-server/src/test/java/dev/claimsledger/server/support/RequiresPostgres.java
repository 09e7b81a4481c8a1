package dev.claimsledger.server.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs the real PostgreSQL named by {@code CLAIMS_TEST_DB_URL}. Where it cannot be reached the
 * test is skipped with a loud notice, unless {@code CLAIMS_REQUIRE_POSTGRES=true} (as in CI), where it fails.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresAvailableCondition.class)
public @interface RequiresPostgres {
}
