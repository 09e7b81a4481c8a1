package dev.claimsledger.server.http;

import dev.claimsledger.api.ClaimErrorCode;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The error codes an operation of the HTTP API answers with beyond those every operation can give
 * ({@link OpenApiDocument#CODES_OF_EVERY_OPERATION}). The OpenAPI document declares each under its status as
 * problem+json, so that a generated client knows every code it can meet.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface ProblemCodes {

    ClaimErrorCode[] value();
}
