package dev.claimsledger.server.http;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimRejectedException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as RFC 9457 {@code application/problem+json}, with a stable {@code code} from {@link ClaimErrorCode}.
 * Nothing a client can send gives a 5xx: malformed bodies, wrong types and unknown routes are 4xx like any rejection.
 */
@RestControllerAdvice
class ProblemResponses extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);

    @ExceptionHandler(ClaimRejectedException.class)
    ResponseEntity<Object> rejected(ClaimRejectedException rejection) {
        return failed(rejection);
    }

    /** Tomcat's query parser refusing a malformed escape when the controller asks for a parameter. */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<Object> invalidParameter(InvalidParameterException failure) {
        return problem(HttpStatus.BAD_REQUEST, ClaimErrorCode.VALIDATION_FAILED,
                "the query string is malformed: " + failure.getMessage());
    }

    @ExceptionHandler(LedgerUnavailableException.class)
    ResponseEntity<Object> unavailable(LedgerUnavailableException failure) {
        return failed(failure);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception failure) {
        return failed(failure);
    }

    /**
     * The answer to a command or query that failed: a rejection with its code, 503 when the ledger or its database
     * is unavailable, 500 otherwise. Also used by {@link DirectHeartbeatFilter}, which answers outside Spring MVC.
     */
    static ResponseEntity<Object> failed(Exception failure) {
        if (failure instanceof ClaimRejectedException rejection) {
            return problem(statusOf(rejection.code()), rejection.code(), rejection.getMessage());
        }
        if (failure instanceof LedgerUnavailableException) {
            log.warn("ledger unavailable: {}", failure.getMessage());
            return problem(HttpStatus.SERVICE_UNAVAILABLE, ClaimErrorCode.UNAVAILABLE, failure.getMessage());
        }
        if (DatabaseUnavailable.isCause(failure)) {
            log.warn("ledger unavailable: the database cannot be reached: {}", DatabaseUnavailable.describe(failure));
            return problem(HttpStatus.SERVICE_UNAVAILABLE, ClaimErrorCode.UNAVAILABLE,
                    "the database cannot be reached right now; retry later");
        }
        log.error("request failed unexpectedly", failure);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, ClaimErrorCode.INTERNAL_ERROR,
                "the ledger failed to handle the request; it has been logged");
    }

    /** Spring MVC's own request errors: unreadable bodies, wrong parameter types, unknown routes and methods. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        if (BodySizeLimitFilter.isTooLarge(ex)) {
            return problem(HttpStatus.CONTENT_TOO_LARGE, ClaimErrorCode.PAYLOAD_TOO_LARGE, BodySizeLimitFilter.DETAIL);
        }
        ClaimErrorCode code = codeFor(statusCode);
        String detail = code == ClaimErrorCode.VALIDATION_FAILED
                ? "the request is malformed: " + rootMessage(ex)
                : body instanceof ProblemDetail problem && problem.getDetail() != null ? problem.getDetail() : rootMessage(ex);
        ResponseEntity<Object> response = problem(statusCode, code, detail);
        return ResponseEntity.status(statusCode).headers(headers).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(response.getBody());
    }

    static ResponseEntity<Object> problem(HttpStatusCode status, ClaimErrorCode code, String detail) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemWriter.problem(status, code, detail));
    }

    /** The code of an error Spring MVC or the servlet container answered by status alone. */
    static ClaimErrorCode codeFor(HttpStatusCode status) {
        return switch (status.value()) {
            case 404, 405, 406, 415, 501, 505 -> ClaimErrorCode.UNSUPPORTED_REQUEST;
            case 413 -> ClaimErrorCode.PAYLOAD_TOO_LARGE;
            case 401 -> ClaimErrorCode.UNAUTHENTICATED;
            case 403 -> ClaimErrorCode.FORBIDDEN;
            case 503 -> ClaimErrorCode.UNAVAILABLE;
            default -> status.is4xxClientError() ? ClaimErrorCode.VALIDATION_FAILED : ClaimErrorCode.INTERNAL_ERROR;
        };
    }

    static HttpStatus statusOf(ClaimErrorCode code) {
        return switch (code) {
            case VALIDATION_FAILED -> HttpStatus.BAD_REQUEST;
            case CLAIM_NOT_FOUND, NOT_FOUND -> HttpStatus.NOT_FOUND;
            case STALE_EPOCH, CLAIM_NOT_ACTIVE, CLAIM_EXPIRED, CONFLICT -> HttpStatus.CONFLICT;
            case UNSUPPORTED_REQUEST -> HttpStatus.BAD_REQUEST;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case PAYLOAD_TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
            case HISTORY_NOT_RETAINED -> HttpStatus.GONE;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case INTERNAL_ERROR -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        // first line only: parser messages can quote large parts of the input
        int newline = message.indexOf('\n');
        String firstLine = newline < 0 ? message : message.substring(0, newline);
        return firstLine.length() > 300 ? firstLine.substring(0, 300) + "..." : firstLine;
    }
}
