package dev.claimsledger.server.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class that must not share the machine with another test: it holds leases of a few seconds under a
 * heavy load, kills processes within milliseconds of an answer, or stops and starts a database server. The build
 * runs the other test classes two at a time and these afterwards, one at a time (claims-server's pom.xml). A
 * contract marked so marks each of its test classes.
 */
@Target(ElementType.TYPE)
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Tag(RunsAlone.TAG)
public @interface RunsAlone {

    String TAG = "runs-alone";
}
